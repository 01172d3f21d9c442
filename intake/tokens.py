"""The secrets an invitation hands out and how they are stored: only hashes, compared in
constant time (issue 17, points 1 and 5)."""

import hashlib
import hmac
import secrets

from django.conf import settings

# No 0/O, 1/I/L: the code is read off a screen or a slip and typed on a tablet.
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SHORT_CODE_LENGTH = 8


def new_token() -> str:
    """A link token of 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def new_short_code() -> str:
    """A short code (about 40 bits) for typing at /self/; rate-limited because it is short."""
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def token_digest(token: str) -> str:
    """SHA-256 hex of a link token: the token has enough bits that no key is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalized_code(code: str) -> str:
    """The code as typed, without spaces or dashes and in capitals."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def short_code_digest(code: str) -> str:
    """A keyed hash of the short code: a copy of the table alone cannot try all 31^8 codes."""
    key = f"intake.short_code:{settings.SECRET_KEY}".encode()
    return hmac.new(key, normalized_code(code).encode(), hashlib.sha256).hexdigest()


def same(stored: str, presented: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(stored.encode(), presented.encode())
