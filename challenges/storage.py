"""Where files live. Everything goes through Django's storage API, so S3-compatible storage
(django-storages) can replace the local folders and workers on other machines share files."""

from django.core.files.storage import storages


def data_storage():
    """Public challenge data and student submissions: served only by permission-checking views."""
    return storages["default"]


def hidden_storage():
    """Hidden solutions: no URL maps to this storage; only services and workers read it."""
    return storages["hidden"]
