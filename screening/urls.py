"""Visit, review, export and analytics URLs. The paths are contracts (DESIGN.md)."""

from django.urls import path

from screening.views import analytics, exports, review, visits

app_name = "screening"

urlpatterns = [
    path("patients/<int:patient_id>/visits/new/", visits.visit_new, name="visit_new"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit"),
    path("visits/<int:pk>/amend/", visits.visit_amend, name="visit_amend"),
    path("review/", review.queue, name="queue"),
    path("review/<int:pk>/", review.flag_detail, name="flag"),
    path("exports/", exports.exports, name="exports"),
    path("analytics/", analytics.analytics, name="analytics"),
]
