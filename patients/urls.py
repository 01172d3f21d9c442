from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.register, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
]
