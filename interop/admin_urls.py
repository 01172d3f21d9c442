"""`/interop/` URLs: the admin's API clients pages (the API itself is /fhir/ and /cds-services)."""

from django.urls import path

from interop import admin_views

app_name = "interop"

urlpatterns = [
    path("clients/", admin_views.clients, name="clients"),
    path("clients/<int:pk>/revoke/", admin_views.client_revoke, name="client_revoke"),
]
