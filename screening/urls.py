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
    # case actions, POST only (issue 6)
    path("review/<int:pk>/claim/", review.flag_action, {"action": "claim"}, name="flag_claim"),
    path(
        "review/<int:pk>/release/", review.flag_action, {"action": "release"}, name="flag_release"
    ),
    path(
        "review/<int:pk>/take-over/",
        review.flag_action,
        {"action": "take_over"},
        name="flag_take_over",
    ),
    path("review/<int:pk>/note/", review.flag_action, {"action": "note"}, name="flag_note"),
    path(
        "review/<int:pk>/resolve/", review.flag_action, {"action": "resolve"}, name="flag_resolve"
    ),
    path(
        "review/<int:pk>/dismiss/", review.flag_action, {"action": "dismiss"}, name="flag_dismiss"
    ),
    path("review/<int:pk>/reopen/", review.flag_action, {"action": "reopen"}, name="flag_reopen"),
    path("exports/", exports.exports, name="exports"),
    path("exports/count/", exports.export_count, name="export_count"),
    path("exports/download/", exports.export_download, name="export_download"),
    path("analytics/", analytics.analytics, name="analytics"),
]
