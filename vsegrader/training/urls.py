"""Routes of this app: `page_urls` are mounted at the site root, `api_urls` under /api/."""

from django.urls import path

from vsegrader.training import views

page_urls: list = [
    path("challenges/<slug:slug>/baseline/", views.baseline_panel, name="baseline-panel"),
    path("challenges/<slug:slug>/baseline/run/", views.baseline_run, name="baseline-run"),
]
api_urls: list = []
