"""Routes of the insights, added to challenges/urls.py."""

from django.urls import path

from challenges.insights import api, code_views, pages

page_urls = [
    path("challenges/<slug:slug>/insights/", pages.insights_mine, name="challenge-insights"),
    path(
        "challenges/<slug:slug>/insights/class/",
        pages.insights_class,
        name="challenge-insights-class",
    ),
    path(
        "challenges/<slug:slug>/insights/integrity/",
        pages.insights_integrity,
        name="challenge-insights-integrity",
    ),
    path(
        "challenges/<slug:slug>/insights/students/<int:id>/",
        pages.insights_student,
        name="challenge-insights-student",
    ),
]

api_urls = [
    path(
        "challenges/<slug:slug>/insights/mine/",
        api.MyInsightsView.as_view(),
        name="api-challenge-insights-mine",
    ),
]

# the code behind a final submission: not an insight (a student attaches it before the
# reveal), so kept out of the lists above that the reveal test walks
code_page_urls = [
    path("submissions/<int:pk>/code/", code_views.submission_code, name="submission-code"),
]

code_api_urls = [
    path(
        "submissions/<int:pk>/code/",
        code_views.SubmissionCodeView.as_view(),
        name="api-submission-code",
    ),
]
