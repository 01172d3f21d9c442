"""HIPAA Safe Harbor rules for de-identified exports (docs/exports.md).

Pseudonyms and date shifts are HMAC-SHA256 of the internal row id under settings.PSEUDONYM_KEY,
which is never exported. Each rule exists twice: in Python (look-ups, checks) and as a SQL
expression, so a streamed export computes it in PostgreSQL; tests keep the two equal.
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db.models import (
    BinaryField,
    CharField,
    DateField,
    Expression,
    Func,
    IntegerField,
    Value,
)
from django.db.models.functions import Cast, Concat, TruncDate

PSEUDONYM_LENGTH = 16  # hex digits: 64 bits, no collision expected below ~10^8 patients
MAX_SHIFT_DAYS = 182  # shifts are -182..-1 or +1..+182 days, never 0
AGE_TOP_CODE = 90  # Safe Harbor: ages over 89 are reported as one group
AGE_TOP_LABEL = "90+"

PATIENT, VISIT, FLAG, SHIFT = "patient", "visit", "flag", "shift"
INSTRUMENT = "instrument"  # a recorded instrument


def _key() -> bytes:
    return settings.PSEUDONYM_KEY.encode()


def _digest(purpose: str, row_id: int) -> bytes:
    return hmac.new(_key(), f"{purpose}:{row_id}".encode(), hashlib.sha256).digest()


def pseudonym(purpose: str, row_id: int) -> str:
    """The stable pseudonymous id of a patient, visit or flag: same key and id, same pseudonym."""
    return _digest(purpose, row_id).hex()[:PSEUDONYM_LENGTH]


def _shift_from_number(number: int) -> int:
    # 364 values: 0..181 map to -182..-1 and 182..363 to +1..+182, so no patient keeps real dates
    step = number % (2 * MAX_SHIFT_DAYS)
    return step - MAX_SHIFT_DAYS + step // MAX_SHIFT_DAYS


def shift_days(patient_id: int) -> int:
    """The patient's date shift in days: the same for all of their dates, so intervals hold."""
    return _shift_from_number(int.from_bytes(_digest(SHIFT, patient_id)[:4], "big"))


def shift_date(day: dt.date, patient_id: int) -> dt.date:
    """A date of the patient's moved by their shift."""
    return day + dt.timedelta(days=shift_days(patient_id))


def age_group(age: int) -> str:
    """The age as exported: whole years, with every age over 89 reported as "90+"."""
    return AGE_TOP_LABEL if age >= AGE_TOP_CODE else str(age)


# The same rules in SQL. HMAC(K, m) = SHA256((K ^ opad) || SHA256((K ^ ipad) || m)) (RFC 2104):
# PostgreSQL has sha256() built in, so the padded keys are computed here and sent as parameters.


def _padded_keys() -> tuple[bytes, bytes]:
    key = _key()
    if len(key) > 64:  # SHA-256's block size
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


class _Bytes(Func):
    """bytea concatenation."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = BinaryField()


def _sha256(expression: Expression) -> Func:
    return Func(expression, function="sha256", output_field=BinaryField())


def _hmac_sql(purpose: str, id_expression: Expression | str) -> Expression:
    inner, outer = _padded_keys()
    message = Func(
        Concat(Value(f"{purpose}:"), Cast(id_expression, CharField())),
        Value("UTF8"),
        function="convert_to",
        output_field=BinaryField(),
    )
    return _sha256(
        _Bytes(
            Value(outer, output_field=BinaryField()),
            _sha256(_Bytes(Value(inner, output_field=BinaryField()), message)),
        )
    )


def pseudonym_sql(purpose: str, id_expression: Expression | str) -> Expression:
    """SQL for pseudonym(purpose, id) of the row id the expression names."""
    return Func(
        Func(_hmac_sql(purpose, id_expression), Value("hex"), function="encode"),
        Value(PSEUDONYM_LENGTH),
        function="left",
        output_field=CharField(),
    )


class _ShiftFromDigest(Func):
    """_shift_from_number of the digest's first four bytes (unsigned, big-endian), in SQL."""

    # the scalar sub-select names the digest once, so PostgreSQL hashes once per row
    template = (
        f"(SELECT (step - {MAX_SHIFT_DAYS} + step / {MAX_SHIFT_DAYS})::int FROM mod(('x' || "  # noqa: S608 (constants)
        f"left(encode(%(expressions)s, 'hex'), 8))::bit(32)::bigint, {2 * MAX_SHIFT_DAYS}) AS step)"
    )
    output_field = IntegerField()


def shift_days_sql(patient_id: Expression | str) -> Expression:
    """SQL for shift_days(patient_id)."""
    return _ShiftFromDigest(_hmac_sql(SHIFT, patient_id))


class _DatePlusDays(Func):
    arg_joiner = " + "
    template = "(%(expressions)s)"
    output_field = DateField()


def shifted_local_date_sql(moment: str, patient_id: Expression | str) -> Expression:
    """SQL for the clinic-local date of a timestamp field, moved by the patient's shift."""
    return _DatePlusDays(TruncDate(moment), shift_days_sql(patient_id))
