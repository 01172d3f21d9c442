"""Self-entry URLs. `/patients/<id>/invitations/` and `/self/<token>/` are contracts (DESIGN.md)."""

from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("patients/<int:patient_id>/invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("self-entries/", views.waiting, name="waiting"),
    path("self-entries/<int:pk>/", views.self_entry, name="self_entry"),
    path("self/", views.start, name="start"),
    path("self/entry/", views.entry, name="entry"),
    path("self/done/", views.done, name="done"),
    path("self/<str:token>/", views.link, name="link"),
]
