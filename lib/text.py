"""Text a person typed or a file carried: characters that cannot be seen are refused."""

import unicodedata

from django.core.exceptions import ValidationError

# Control characters, format characters (zero-width spaces, U+FEFF, the direction overrides
# U+202A-U+202E and U+2066-U+2069), private-use, unassigned and surrogate code points, and
# line or paragraph separators: none belongs in an MRN or a name, and some make one name show
# as another.
_UNSEEN = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
INVISIBLE_MESSAGE = (
    "Remove the invisible or text-direction characters (pasted text often has them)."
)


def invisible_characters(value: str) -> list[str]:
    """The code points of `value` that cannot be seen, as U+XXXX, in order of appearance."""
    found = dict.fromkeys(
        f"U+{ord(char):04X}" for char in value if unicodedata.category(char) in _UNSEEN
    )
    return list(found)


def refuse_invisible_characters(value: str) -> None:
    """A field validator: ValidationError naming the unseen code points, if any."""
    found = invisible_characters(value)
    if found:
        raise ValidationError(
            f"{INVISIBLE_MESSAGE} Found: {', '.join(found)}.", code="invisible_characters"
        )
