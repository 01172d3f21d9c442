"""Permission checks in one query, ahead of Django's ModelBackend.

Every view checks a model permission (STYLE.md), so this lookup runs on nearly every request.
ModelBackend builds two ORM queries for it (the user's own permissions, then their groups'),
which cost more than the one-row write of bench/bench_screening.py; this one SQL statement
returns the same set (tests/integration/test_permission_backend.py compares them).

PermissionBackend signs nobody in and loads no user: ModelBackend, after it in
AUTHENTICATION_BACKENDS, still does both, so sessions keep naming ModelBackend. A check this
backend denies goes on to ModelBackend, which finds the set already cached under the same
attribute (`_perm_cache`) and answers the same without a query.
"""

from typing import Any

from django.db import connection

# contrib.auth's own tables, whose names Django fixes (no db_table override in this project)
_PERMISSIONS_SQL = """
    SELECT content_type.app_label, permission.codename
    FROM auth_permission AS permission
    JOIN django_content_type AS content_type ON content_type.id = permission.content_type_id
    WHERE %(superuser)s OR permission.id IN (
        SELECT permission_id FROM auth_user_user_permissions WHERE user_id = %(user_id)s
        UNION
        SELECT group_permission.permission_id
        FROM auth_group_permissions AS group_permission
        JOIN auth_user_groups AS membership ON membership.group_id = group_permission.group_id
        WHERE membership.user_id = %(user_id)s
    )
"""


class PermissionBackend:
    """Answers has_perm, has_module_perms and get_all_permissions as ModelBackend does."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None  # ModelBackend signs people in

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                parameters = {"superuser": user_obj.is_superuser, "user_id": user_obj.pk}
                cursor.execute(_PERMISSIONS_SQL, parameters)
                user_obj._perm_cache = {f"{app}.{code}" for app, code in cursor.fetchall()}
        return user_obj._perm_cache  # type: ignore[no-any-return]

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return bool(user_obj.is_active) and perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(user_obj.is_active) and any(
            perm.partition(".")[0] == app_label for perm in self.get_all_permissions(user_obj)
        )
