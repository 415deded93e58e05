"""vsegrader's command-line client (`vsegrader`), installable without the server, and its
Python API for notebooks (`from vsegrader_client import Client, CliError`)."""

__version__ = "0.1.0"

# Imported on use: the command line imports this package first and needs none of them here.
LAZY = {
    "Client": "vsegrader_client.notebook",
    "Status": "vsegrader_client.notebook",
    "Submission": "vsegrader_client.notebook",
    "BoardRow": "vsegrader_client.notebook",
    "RefusedFile": "vsegrader_client.errors",
    "CliError": "vsegrader_client.errors",
    "ApiError": "vsegrader_client.api",
}


def __getattr__(name):
    if name not in LAZY:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(LAZY[name]), name)
