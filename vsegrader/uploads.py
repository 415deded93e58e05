"""Upload size limits, enforced while the body streams in, never after reading it whole."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from challenges.models import Challenge

# Room for the multipart framing and the form's other fields around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
MB = 1024 * 1024
SUBMISSION_VIEWS = frozenset({"api-challenge-submissions", "challenge-submissions"})


def too_large_message(limit_bytes: int) -> str:
    return f"The file is too large: the limit is {limit_bytes // MB} MB."


def body_too_large(request) -> bool:
    """Whether `SizeLimitUploadHandler` stopped this request's body (a Django request)."""
    return bool(getattr(request, "upload_too_large", False))


def too_large_response(request, limit_bytes: int | None = None) -> HttpResponse:
    message = too_large_message(limit_bytes or settings.SUBMISSION_MAX_BYTES)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "file_too_large"}, status=413)
    html = render_to_string("challenges/error.html", {"message": message}, request=request)
    return HttpResponse(html, status=413)


def declared_length(request) -> int:
    """The body's declared length as Django reads it: int() of the header, else nothing.
    (str.isdigit() is no guard: it accepts digits such as "²" that int() refuses.)"""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def challenge_limit(request) -> int | None:
    """The file size limit of the challenge this request uploads to, if it is one."""
    if request.method != "POST":
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.url_name not in SUBMISSION_VIEWS:
        return None
    limit_mb = (
        Challenge.objects.filter(slug=match.kwargs.get("slug"), is_published=True)
        .values_list("max_file_mb", flat=True)
        .first()
    )
    return limit_mb * MB if limit_mb else None


class UploadSizeLimitMiddleware:
    """Refuses a body whose declared length is over the limit before anything reads it: the
    site's limit, or the challenge's own (often lower) for an upload to a challenge. Django
    never reads past the declared length, so this bounds what an upload can make us read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = declared_length(request)
        limit = settings.SUBMISSION_MAX_BYTES
        if declared > MULTIPART_OVERHEAD:  # smaller bodies need no lookup
            limit = min(limit, challenge_limit(request) or limit)
        if declared > limit + MULTIPART_OVERHEAD:
            return too_large_response(request, limit)
        return self.get_response(request)


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops a streamed (e.g. chunked) upload as soon as it passes the limit.

    The view sees `request.upload_too_large` and answers with a clear message.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.SUBMISSION_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
