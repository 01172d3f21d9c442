"""Password rules beyond Django's validators (settings.AUTH_PASSWORD_VALIDATORS names them all)."""

import re
from typing import Any

from django.core.exceptions import ValidationError


class VarietyValidator:
    """At least `min_distinct` different characters: no "aaaaaaaaaaaa" or "abababababab"."""

    def __init__(self, min_distinct: int = 6) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user: Any = None) -> None:
        if len(set(password.lower())) < self.min_distinct:
            raise ValidationError(
                f"Use at least {self.min_distinct} different characters.", code="password_variety"
            )

    def get_help_text(self) -> str:
        return f"Your password must use at least {self.min_distinct} different characters."


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


class ContainsUsernameValidator:
    """The username, in any case or punctuation, is not part of the password ("jsmith2024")."""

    def validate(self, password: str, user: Any = None) -> None:
        username = _letters_and_digits(getattr(user, "username", None) or "")
        if len(username) >= 3 and username in _letters_and_digits(password):
            raise ValidationError(
                "Do not use your username in your password.", code="password_username"
            )

    def get_help_text(self) -> str:
        return "Your password must not contain your username."
