"""Upload size limits, enforced while the body streams in, never after reading it whole."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

# Room for the multipart framing and the form's other fields around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def too_large_message(limit_bytes: int) -> str:
    return f"The file is too large: the limit is {limit_bytes // (1024 * 1024)} MB."


def too_large_response(request) -> HttpResponse:
    message = too_large_message(settings.SUBMISSION_MAX_BYTES)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "file_too_large"}, status=413)
    html = render_to_string("challenges/error.html", {"message": message}, request=request)
    return HttpResponse(html, status=413)


class UploadSizeLimitMiddleware:
    """Refuses a body whose declared length is over the limit before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.SUBMISSION_MAX_BYTES + MULTIPART_OVERHEAD
        if declared.isdigit() and int(declared) > limit:
            return too_large_response(request)
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
