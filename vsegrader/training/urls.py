"""Routes of this app: `page_urls` are mounted at the site root, `api_urls` under /api/."""

from django.urls import path

from vsegrader.training import pages

page_urls: list = [
    path("challenges/<slug:slug>/baseline/", pages.baseline_panel, name="baseline-panel"),
    path("challenges/<slug:slug>/baseline/run/", pages.baseline_run, name="baseline-run"),
]
api_urls: list = []
