"""The size limit holds without reading an oversized body."""

import io
import json

from django.http import HttpResponse
from django.test import RequestFactory

from vsegrader.uploads import UploadSizeLimitMiddleware


class UnreadableBody(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")


def request_declaring(length: int, path: str):
    request = RequestFactory().post(path, data=b"", content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(length)
    request.META["wsgi.input"] = UnreadableBody()
    return request


def test_an_api_body_declared_over_the_limit_is_refused_unread(settings):
    middleware = UploadSizeLimitMiddleware(lambda request: HttpResponse("reached the view"))
    response = middleware(request_declaring(10 * settings.SUBMISSION_MAX_BYTES, "/api/x/"))
    assert response.status_code == 413
    assert json.loads(response.content) == {
        "detail": "The file is too large: the limit is 50 MB.",
        "code": "file_too_large",
    }


def test_a_page_body_declared_over_the_limit_gets_an_html_explanation(settings, db):
    middleware = UploadSizeLimitMiddleware(lambda request: HttpResponse("reached the view"))
    response = middleware(request_declaring(10 * settings.SUBMISSION_MAX_BYTES, "/challenges/x/"))
    assert response.status_code == 413
    assert b"The file is too large: the limit is 50 MB." in response.content


def test_a_body_within_the_limit_reaches_the_view(settings):
    middleware = UploadSizeLimitMiddleware(lambda request: HttpResponse("reached the view"))
    response = middleware(request_declaring(settings.SUBMISSION_MAX_BYTES, "/api/x/"))
    assert response.content == b"reached the view"
