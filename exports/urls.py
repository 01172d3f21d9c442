"""Export URLs under /exports/. The paths are contracts (DESIGN.md)."""

from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("", views.exports, name="exports"),
    path("count/", views.export_count, name="export_count"),
    path("download/", views.export_download, name="export_download"),
]
