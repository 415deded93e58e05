"""Routes of this app: `page_urls` are mounted at the site root, `api_urls` under /api/,
`auth_urls` under /accounts/ before Django's own auth views (they replace some of them)."""

from django.urls import path

from vsegrader.accounts import api, pages, passwords

page_urls: list = [
    path("accounts/token/", pages.api_token, name="api-token-page"),
]
api_urls: list = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("auth/token/revoke/", api.TokenRevokeView.as_view(), name="api-token-revoke"),
]
auth_urls: list = [
    path("password_reset/", passwords.LimitedPasswordResetView.as_view(), name="password_reset"),
]
