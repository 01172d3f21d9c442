"""Top-level URLs. The paths here are contracts that outside tools rely on (DESIGN.md)."""

from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as account_views
from interop import cds, sdc_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("patients/", include("patients.urls")),
    path("", include("screening.urls")),
    path("review/", include("review.urls")),
    path("", include("intake.urls")),
    path("exports/", include("exports.urls")),
    path("analytics/", include("analytics.urls")),
    path("audit/", include("audit.urls")),
    path("interop/", include("interop.admin_urls")),
    re_path(
        r"^fhir/?$", sdc_views.transaction, name="fhir_transaction"
    ),  # the base, with or without /
    path("fhir/", include("interop.urls")),
    path("cds-services", cds.discovery, name="cds_discovery"),
    path("cds-services/", include("interop.cds_urls")),
    path("django-admin/", admin.site.urls),
]
