"""vsegrader's command-line client (`vsegrader`), installable without the server, and its
Python API for notebooks (`from vsegrader_client import Client`)."""

__version__ = "0.1.0"


def __getattr__(name):
    if name == "Client":  # imported on use: the command line does not need it
        from vsegrader_client.notebook import Client

        return Client
    raise AttributeError(name)
