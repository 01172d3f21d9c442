"""Visit URLs. The paths are contracts (DESIGN.md)."""

from django.urls import path

from screening.views import visits

app_name = "screening"

urlpatterns = [
    path("patients/<int:patient_id>/visits/new/", visits.visit_new, name="visit_new"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit"),
    path("visits/<int:pk>/amend/", visits.visit_amend, name="visit_amend"),
]
