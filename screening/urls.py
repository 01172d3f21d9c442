"""Visit URLs. The paths are contracts (DESIGN.md)."""

from django.urls import path

from screening import instrument_views, views

app_name = "screening"

urlpatterns = [
    path("patients/<int:patient_id>/visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/amend/", views.visit_amend, name="visit_amend"),
    path(
        "patients/<int:patient_id>/instruments/new/<slug:instrument>/",
        instrument_views.instrument_new,
        name="instrument_new",
    ),
    path("instruments/<int:pk>/", instrument_views.instrument_detail, name="instrument"),
    path("instruments/<int:pk>/amend/", instrument_views.instrument_amend, name="instrument_amend"),
]
