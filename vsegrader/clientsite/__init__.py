"""What the `vsegrader` command line needs from the site beyond the core API: a status
summary in one request, and the client package itself, served from the site."""
