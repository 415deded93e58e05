"""vsegrader's command-line client (`vsegrader`), installable without the server."""

__version__ = "0.1.0"
