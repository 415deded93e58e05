from django.urls import path, register_converter

from challenges import api, pages
from challenges.submissions import browser_spec


class FileNameConverter:
    """One path segment without control characters: a NUL byte, for one, cannot even be
    looked up in PostgreSQL, so such a name must not reach a view."""

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FileNameConverter, "filename")

page_urls = [
    path("", pages.challenge_list, name="challenge-list"),
    path("challenges/<slug:slug>/", pages.challenge_detail, name="challenge-detail"),
    path("challenges/<slug:slug>/data/", pages.challenge_data, name="challenge-data"),
    path(
        "challenges/<slug:slug>/submissions/",
        pages.challenge_submissions,
        name="challenge-submissions",
    ),
    path(
        "challenges/<slug:slug>/my-submissions/",
        pages.my_submissions_fragment,
        name="challenge-my-submissions",
    ),
    path("challenges/<slug:slug>/leaderboard/", pages.leaderboard, name="challenge-leaderboard"),
    path("challenges/<slug:slug>/chart/", pages.challenge_chart, name="challenge-chart"),
    path(
        "challenges/<slug:slug>/submission-spec.json",
        browser_spec.submission_spec_json,
        name="challenge-submission-spec",
    ),
    path("challenges/<slug:slug>/rescore/", pages.challenge_rescore, name="challenge-rescore"),
    path(
        "challenges/<slug:slug>/rescore/progress/",
        pages.rescore_progress,
        name="challenge-rescore-progress",
    ),
    path("submissions/<int:pk>/file/", pages.submission_file, name="submission-file"),
    path("submissions/<int:pk>/final/", pages.submission_final, name="submission-final"),
    path("profile/", pages.profile, name="profile"),
]

api_urls = [
    path("challenges/", api.ChallengeListView.as_view(), name="api-challenge-list"),
    path("challenges/<slug:slug>/", api.ChallengeDetailView.as_view(), name="api-challenge-detail"),
    path(
        "challenges/<slug:slug>/files/<filename:name>",
        api.DataFileView.as_view(),
        name="api-data-file",
    ),
    path(
        "challenges/<slug:slug>/submissions/",
        api.ChallengeSubmissionsView.as_view(),
        name="api-challenge-submissions",
    ),
    path(
        "challenges/<slug:slug>/leaderboard/",
        api.LeaderboardView.as_view(),
        name="api-challenge-leaderboard",
    ),
    path(
        "challenges/<slug:slug>/leaderboard/download/",
        api.LeaderboardDownloadView.as_view(),
        name="api-challenge-leaderboard-download",
    ),
    path("challenges/<slug:slug>/rescore/", api.RescoreView.as_view(), name="api-rescore"),
    path("profile/", api.ProfileView.as_view(), name="api-profile"),
    path("submissions/<int:pk>/", api.SubmissionDetailView.as_view(), name="api-submission-detail"),
    path(
        "submissions/<int:pk>/file/", api.SubmissionFileView.as_view(), name="api-submission-file"
    ),
]

from challenges.insights import urls as insights_urls  # noqa: E402

page_urls += insights_urls.page_urls
api_urls += insights_urls.api_urls
page_urls += insights_urls.code_page_urls
api_urls += insights_urls.code_api_urls
