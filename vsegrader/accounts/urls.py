"""Routes of this app: `page_urls` are mounted at the site root, `api_urls` under /api/,
`auth_urls` under /accounts/ before Django's own auth views (they replace some of them)."""

from django.urls import path

from vsegrader.accounts import api, pages, passwords, token_api

page_urls: list = [
    path("accounts/token/", pages.api_token, name="api-token-page"),
]
api_urls: list = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("auth/token/", token_api.TokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", api.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("auth/tokens/", token_api.TokensView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:pk>/", token_api.TokenDetailView.as_view(), name="api-token-detail"),
]
auth_urls: list = [
    path("password_reset/", passwords.LimitedPasswordResetView.as_view(), name="password_reset"),
]
