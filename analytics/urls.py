"""The analytics page under /analytics/. The path is a contract (DESIGN.md)."""

from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.analytics, name="analytics"),
    path("methods/", views.methods, name="methods"),
]
