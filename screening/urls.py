"""Visit URLs. The paths are contracts (DESIGN.md)."""

from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("patients/<int:patient_id>/visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/amend/", views.visit_amend, name="visit_amend"),
]
