"""The account part of the API: who am I, and revoking the token in use."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges.selectors import shown_name
from vsegrader.accounts import tokens
from vsegrader.permissions import is_instructor


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField(help_text="the name shown on student leaderboards")
    full_name = serializers.CharField(help_text="first and last name; may be empty")
    is_instructor = serializers.BooleanField()


class MeView(APIView):
    @extend_schema(
        responses=MeSerializer,
        summary="The account the request is authenticated as",
        description="What `vsegrader login` and `vsegrader whoami` show.",
    )
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "display_name": shown_name(user),
                    "full_name": user.get_full_name(),
                    "is_instructor": is_instructor(user),
                }
            ).data
        )


class TokenRevokeView(APIView):
    @extend_schema(
        request=None,
        responses={204: None},
        summary="Revoke your API token",
        description="Deletes the token this request was made with, and only that one: the "
        "user's other tokens keep working. New ones come from POST /api/auth/tokens/ or the "
        "API token page.",
    )
    def post(self, request):
        tokens.token_revoke_current(auth=request.auth)
        return Response(status=204)
