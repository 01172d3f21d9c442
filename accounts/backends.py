"""Django's ModelBackend with a signed-in user's permissions read in one query.

Every view checks a model permission (STYLE.md), so this lookup runs on nearly every request.
ModelBackend builds two ORM queries for it (the user's own permissions, then their groups'),
which cost more than the one-row write of bench/bench_screening.py; this one SQL statement
returns the same set (tests/integration/test_permission_backend.py compares them).
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection

# contrib.auth's own tables, whose names Django fixes (no db_table override in this project)
_PERMISSIONS_SQL = """
    SELECT content_type.app_label, permission.codename
    FROM auth_permission AS permission
    JOIN django_content_type AS content_type ON content_type.id = permission.content_type_id
    WHERE permission.id IN (
        SELECT permission_id FROM auth_user_user_permissions WHERE user_id = %(user_id)s
        UNION
        SELECT group_permission.permission_id
        FROM auth_group_permissions AS group_permission
        JOIN auth_user_groups AS membership ON membership.group_id = group_permission.group_id
        WHERE membership.user_id = %(user_id)s
    )
"""


class PermissionBackend(ModelBackend):
    """ModelBackend (sign-in, users, `with_perm`), with get_all_permissions in one query."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        # anonymous, inactive, object permissions and superusers: as ModelBackend decides
        if (
            user_obj.is_superuser
            or not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
        ):
            return super().get_all_permissions(user_obj, obj)  # type: ignore[no-any-return]
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(_PERMISSIONS_SQL, {"user_id": user_obj.pk})
                user_obj._perm_cache = {f"{app}.{code}" for app, code in cursor.fetchall()}
        return user_obj._perm_cache  # type: ignore[no-any-return]
