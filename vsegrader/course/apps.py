from django.apps import AppConfig


class CourseConfig(AppConfig):
    name = "vsegrader.course"
    label = "course"
    verbose_name = "Course"
