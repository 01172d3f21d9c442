"""Bearer tokens: made once, stored as a SHA-256, found by prefix and compared in constant time."""

import hashlib
import hmac
import secrets

PREFIX_LENGTH = 8


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_hash(token: str, stored_hash: str) -> bool:
    """True when the token hashes to the stored hash (constant time)."""
    return hmac.compare_digest(token_hash(token), stored_hash)
