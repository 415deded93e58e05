"""Routes of this app: `page_urls` are mounted at the site root, `api_urls` under /api/."""

from django.urls import path

from vsegrader.course import api, pages, pages_rules

page_urls: list = [
    path("grades/", pages.gradebook_page, name="grades"),
    path("grades/export.csv", pages.gradebook_csv, name="grades-csv"),
    path("grades/mine/", pages.my_grades, name="grades-mine"),
    path("grades/rules/<slug:slug>/", pages_rules.grading_rules_edit, name="grading-rules-edit"),
    path("challenges/<slug:slug>/grading/", pages.challenge_grading, name="challenge-grading"),
    path("deadlines/", pages.deadline_list, name="deadline-list"),
    path("deadlines/calendar/renew/", pages.calendar_renew, name="calendar-renew"),
    path("deadlines/calendar/<str:token>.ics", pages.calendar_feed, name="calendar-feed"),
    path("projects/", pages.my_project, name="project-mine"),
    path("projects/create/", pages.group_create, name="project-create"),
    path("projects/join/", pages.group_join, name="project-join"),
    path("projects/leave/", pages.group_leave, name="project-leave"),
    path("projects/upload/", pages.deliverable_upload, name="project-upload"),
    path(
        "projects/deliverables/<int:pk>/file/",
        pages.deliverable_file,
        name="project-deliverable-file",
    ),
    path("projects/groups/", pages.group_list, name="project-groups"),
    path("projects/groups/<int:pk>/", pages.group_detail, name="project-group"),
]
api_urls: list = [
    path("grades/", api.GradesView.as_view(), name="api-grades"),
]
