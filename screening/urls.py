"""Visit, export and analytics URLs. The paths are contracts (DESIGN.md)."""

from django.urls import path

from screening.views import analytics, exports, visits

app_name = "screening"

urlpatterns = [
    path("patients/<int:patient_id>/visits/new/", visits.visit_new, name="visit_new"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit"),
    path("visits/<int:pk>/amend/", visits.visit_amend, name="visit_amend"),
    path("exports/", exports.exports, name="exports"),
    path("exports/count/", exports.export_count, name="export_count"),
    path("exports/download/", exports.export_download, name="export_download"),
    path("analytics/", analytics.analytics, name="analytics"),
]
