from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from challenges.urls import api_urls, page_urls
from vsegrader import landing
from vsegrader.accounts import urls as accounts_urls
from vsegrader.clientsite import urls as clientsite_urls
from vsegrader.course import urls as course_urls
from vsegrader.training import urls as training_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts_urls.auth_urls)),  # rate-limited password resets
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # metadata_class=None: OPTIONS gets a 405, not a crash (this view has no JSON metadata).
    # The template puts the vendored Swagger UI inside the site's frame.
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(
            url_name="api-schema", metadata_class=None, template_name="api_docs.html"
        ),
        name="api-docs",
    ),
    path("api/", include(api_urls)),
    path("api/", include(course_urls.api_urls)),
    path("api/", include(accounts_urls.api_urls)),
    path("api/", include(clientsite_urls.api_urls)),
    path("api/", include(training_urls.api_urls)),
    path("", landing.home, name="home"),  # before the apps' "": members get challenge-list
    path("about/", landing.landing_page, name="landing"),
    path("favicon.ico", landing.favicon, name="favicon"),
    path("", include(page_urls)),
    path("", include(course_urls.page_urls)),
    path("", include(accounts_urls.page_urls)),
    path("", include(clientsite_urls.page_urls)),
    path("", include(training_urls.page_urls)),
]

# /api/ requests that no view answers get the API's JSON error shape; pages get the site's
# own error pages (vsegrader/templates/400.html, 403.html, 404.html, 500.html).
handler400 = "vsegrader.api_errors.bad_request"
handler403 = "vsegrader.api_errors.permission_denied"
handler404 = "vsegrader.api_errors.not_found"
handler500 = "vsegrader.api_errors.server_error"
