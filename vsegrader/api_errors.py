"""One JSON shape for every API error: {"detail": "<human message>", "code": "...", ...}.

The DRF handler below shapes the errors that views raise; the Django handlers (handler400,
403, 404 and 500 in vsegrader.urls) give the same shape to /api/ requests that never reach a
view (an id that is not a number, an unreadable body, a crash), and pages the site's own
error pages (vsegrader/templates/<status>.html, inside the site's frame; 500.html needs
neither the request nor the database); ErrorAutoSchema documents the errors of every
operation in the OpenAPI schema.
"""

from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler


def first_message(detail) -> str:
    if isinstance(detail, dict):
        if not detail:
            return "Invalid request."
        field, value = next(iter(detail.items()))
        message = first_message(value)
        return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(detail, list):
        return first_message(detail[0]) if detail else "Invalid request."
    return str(detail)


def json_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        message = first_message(exc.detail)
        response.data = {"detail": message, "code": "invalid", "errors": exc.detail}
    elif isinstance(response.data, dict) and "detail" in response.data:
        code = getattr(response.data["detail"], "code", None) or "error"
        response.data = {"detail": str(response.data["detail"]), "code": code}
    return response


# --- requests that no API view answers ----------------------------------------------------


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_json(message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message, "code": code}, status=status)


def bad_request(request, exception):
    if is_api(request):
        return error_json("The request could not be read.", "bad_request", 400)
    return defaults.bad_request(request, exception, template_name="400.html")


def permission_denied(request, exception):
    if is_api(request):
        return error_json("You do not have permission.", "permission_denied", 403)
    return defaults.permission_denied(request, exception, template_name="403.html")


def not_found(request, exception):
    if is_api(request):
        return error_json("Not found.", "not_found", 404)
    return defaults.page_not_found(request, exception, template_name="404.html")


def server_error(request):
    if is_api(request):
        return error_json("Server error.", "server_error", 500)
    return defaults.server_error(request, template_name="500.html")


# --- the errors in the OpenAPI schema -------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="a message for people")
    code = serializers.CharField(help_text="a stable identifier, e.g. `not_found`")
    errors = serializers.JSONField(
        required=False, help_text="400 only: every invalid field with its messages"
    )


RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "required": True,
        "description": "seconds to wait before trying again",
    }
}


class ErrorAutoSchema(AutoSchema):
    """Adds to every operation the errors it can answer, with the error body's shape."""

    def error_responses(self) -> dict[int, str]:
        errors = {429: "Too many requests (API rate limit, or too many failed logins)"}
        has_body = self.method in ("POST", "PUT", "PATCH") and bool(self.get_request_serializer())
        has_query = any(parameter["in"] == "query" for parameter in self._get_parameters())
        if has_body or has_query:
            errors[400] = "Invalid input: `detail` names the first problem, `errors` all"
        if has_body:
            errors[413] = "The request body is over the upload limit"
            errors[415] = "Unsupported Content-Type"
        if self.get_auth():
            errors[401] = "Not authenticated, or the token is invalid"
            errors[403] = "Not allowed (or a session request without its CSRF token)"
        if "{" in self.path:
            errors[404] = "No such object, or not visible to you"
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in sorted(self.error_responses().items()):
            if str(status) not in responses:
                answer = OpenApiResponse(ErrorSerializer, description=description)
                responses[str(status)] = self.error_response(answer, str(status), direction)
        if "429" in responses:
            responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
        return responses

    def error_response(self, answer, status: str, direction):
        """JSON; an operation that also renders CSV renders its errors as CSV when asked."""
        response = self._get_response_for_code(answer, status, ["application/json"], direction)
        for renderer in self.view.get_renderers():
            if not isinstance(renderer, JSONRenderer):
                response["content"][renderer.media_type] = {"schema": {"type": "string"}}
        return response
