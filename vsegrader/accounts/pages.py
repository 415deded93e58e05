"""The browser page where a user creates named API tokens and revokes them one by one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from vsegrader.accounts import tokens

EXPIRY_CHOICES = [("", "never"), ("7", "in 7 days"), ("30", "in 30 days"), ("90", "in 90 days")]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """GET lists the tokens; POST action=create makes a named one and shows its key once;
    action=revoke deletes the one numbered `id`; action=revoke_all deletes them all."""
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = create(request)
        elif action in ("revoke", "revoke_all"):
            revoke(request, action)
            return redirect("api-token-page")
        else:
            return HttpResponseBadRequest("Unknown action.")
    context = {
        "tokens": tokens.token_list(user=request.user),
        "new_key": new_key,
        "expiry_choices": EXPIRY_CHOICES,
        "site_url": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "accounts/api_token.html", context)


def create(request) -> str:
    name = request.POST.get("name", "").replace("\x00", "").strip() or "unnamed"
    days = request.POST.get("expiry_days", "")
    expiry_days = int(days) if days in {value for value, _ in EXPIRY_CHOICES if value} else None
    return tokens.token_create(user=request.user, name=name, expiry_days=expiry_days)[1]


def revoke(request, action: str) -> None:
    if action == "revoke_all":
        revoked = tokens.token_revoke(user=request.user)
        messages.success(request, "All tokens revoked." if revoked else "There was no token.")
        return
    number = request.POST.get("id", "")
    revoked = number.isdigit() and tokens.token_revoke_one(user=request.user, label_id=int(number))
    messages.success(request, "Token revoked." if revoked else "There was no such token.")
