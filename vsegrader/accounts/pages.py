"""The browser page where a user creates, replaces and revokes their API token."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from vsegrader.accounts import tokens


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """GET shows whether a token exists; POST action=create makes a new one and shows it
    once (it is not shown again); POST action=revoke deletes it."""
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = tokens.token_create(user=request.user).key
        elif action == "revoke":
            revoked = tokens.token_revoke(user=request.user)
            messages.success(request, "Token revoked." if revoked else "There was no token.")
            return redirect("api-token-page")
        else:
            return HttpResponseBadRequest("Unknown action.")
    context = {
        "token": tokens.token_get(user=request.user),
        "new_key": new_key,
        "site_url": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "accounts/api_token.html", context)
