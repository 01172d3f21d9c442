"""Export URLs under /exports/. The paths are contracts (DESIGN.md)."""

from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("", views.exports, name="exports"),
    path("count/", views.export_count, name="export_count"),
    path("download/", views.export_download, name="export_download"),
    path("jobs/", views.job_create, name="job_create"),
    path("jobs/<int:job_id>/", views.job_page, name="job"),
    path("jobs/<int:job_id>/status/", views.job_status, name="job_status"),
    path("jobs/<int:job_id>/file/", views.job_file, name="job_file"),
]
