"""Routes: `api_urls` under /api/, `page_urls` at the site root."""

from django.urls import path

from vsegrader.clientsite import package, status

api_urls: list = [
    path("challenges/<slug:slug>/status/", status.StatusView.as_view(), name="api-status"),
    path("status/", status.StatusListView.as_view(), name="api-status-list"),
]
page_urls: list = [
    path("client/vsegrader-client.tar.gz", package.client_sdist, name="client-sdist"),
]
