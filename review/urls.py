"""Review queue and case URLs under /review/. The paths are contracts (DESIGN.md)."""

from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("search/", views.queue_search, name="queue_search"),  # POST only
    path("rescreen/", views.rescreen, name="rescreen"),
    path("<int:pk>/", views.flag_detail, name="flag"),
    # case actions, POST only
    path("<int:pk>/claim/", views.flag_action, {"action": "claim"}, name="flag_claim"),
    path("<int:pk>/release/", views.flag_action, {"action": "release"}, name="flag_release"),
    path("<int:pk>/take-over/", views.flag_action, {"action": "take_over"}, name="flag_take_over"),
    path("<int:pk>/note/", views.flag_action, {"action": "note"}, name="flag_note"),
    path("<int:pk>/resolve/", views.flag_action, {"action": "resolve"}, name="flag_resolve"),
    path("<int:pk>/dismiss/", views.flag_action, {"action": "dismiss"}, name="flag_dismiss"),
    path("<int:pk>/reopen/", views.flag_action, {"action": "reopen"}, name="flag_reopen"),
]
