"""Named API tokens over the API: create one with a password (`vsegrader login`), list
yours, revoke one by number; `POST auth/token/revoke/` revokes only the token in use."""

from django.contrib.auth import authenticate
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges.serializers import TokenRequestSerializer, TokenSerializer
from vsegrader.accounts import tokens
from vsegrader.api_errors import ErrorSerializer


class BadCredentials(APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "Wrong username or password."
    default_code = "bad_credentials"


class NewTokenSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    name = serializers.CharField(max_length=100, required=False, default="vsegrader")
    expiry_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=tokens.MAX_EXPIRY_DAYS
    )

    def validate(self, attrs):
        for field in ("username", "password", "name"):
            if "\x00" in attrs[field]:
                raise serializers.ValidationError({field: "Null characters are not allowed."})
        return attrs


class TokenInfoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    created = serializers.DateTimeField(source="token.created")
    expiry = serializers.DateTimeField(source="token.expiry", allow_null=True)
    current = serializers.SerializerMethodField()

    def get_current(self, label) -> bool:
        return label.token_id == getattr(self.context.get("auth"), "pk", None)


class TokensView(APIView):
    parser_classes = [JSONParser]  # a form can't carry a null expiry

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses=TokenInfoSerializer(many=True), summary="Your API tokens")
    def get(self, request):
        labels = tokens.token_list(user=request.user)
        context = {"auth": request.auth}
        return Response(TokenInfoSerializer(labels, many=True, context=context).data)

    @extend_schema(
        request=NewTokenSerializer,
        responses={
            201: OpenApiTypes.OBJECT,
            401: OpenApiResponse(ErrorSerializer, description="Wrong username or password"),
        },
        auth=[],
        summary="Create a named API token with your password",
        description="Another token for the same account: the others keep working.",
    )
    def post(self, request):
        form = NewTokenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise BadCredentials()
        label_token, key = tokens.token_create(
            user=user, name=data["name"], expiry_days=data.get("expiry_days")
        )
        info = TokenInfoSerializer(label_token.label).data
        return Response({**info, "token": key}, status=201)


class TokenView(APIView):
    """`POST /api/auth/token/`, as scripts written against it expect: `{"token": key}`. The
    key is a new knox token named "api", stored hashed like every other."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            401: OpenApiResponse(ErrorSerializer, description="Wrong username or password"),
        },
        auth=[],
    )
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # Django's request, not DRF's wrapper: the login throttle (axes) marks a locked-out
        # attempt on it, and its middleware answers that with 429.
        user = authenticate(request._request, **form.validated_data)
        if user is None:
            raise BadCredentials()
        _, key = tokens.token_create(user=user, name="api")
        return Response({"token": key})


class TokenDetailView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke one of your tokens")
    def delete(self, request, pk: int):
        if not tokens.token_revoke_one(user=request.user, label_id=pk):
            raise NotFound(f"You have no token number {pk}.")
        return Response(status=204)
