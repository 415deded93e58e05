"""The API of the insights: a student's own stored report (after the reveal)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges import selectors
from challenges.insights import access


class MyInsightsView(APIView):
    """Your result on the private split, once the challenge is revealed (403 before)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Your private-split report")
    def get(self, request, slug: str):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        access.require_own_report_visible(challenge=challenge, user=request.user)
        report = access.student_report(challenge, request.user.pk)
        if report is None:
            raise Http404("No report yet: it is computed shortly after the reveal.")
        # After the reveal a student sees their own private score's bootstrap interval too.
        return Response({"computed_at": report.computed_at, **report.data})
