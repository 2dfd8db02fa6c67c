"""Root URLs: the versioned API, its schema and docs, the admin, the web console and the health checks."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend import app_links, health

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("facilities.urls")),
    path("", include("consultations.urls")),
    path("", include("bookings.urls")),
    path("", include("reimbursements.urls")),
    path("", include("payments.urls")),
    path("", include("memberships.urls")),
    path("", include("outcomes.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("api-auth/", include("rest_framework.urls")),
    path(".well-known/apple-app-site-association", app_links.apple_app_site_association, name="aasa"),
    path(".well-known/assetlinks.json", app_links.assetlinks, name="assetlinks"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("console/", include("console.urls")),
]

# Paths no view answers, and failures outside DRF's views, in the API's error shape under /api/.
handler404 = "backend.views.page_not_found"
handler500 = "backend.views.server_error"
