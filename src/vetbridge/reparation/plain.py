"""Whether a decision's frozen inputs are *plain*: only the keys and JSON types the bulk
revaluation has columns for (`revaluation_bulk.py`). Stored on the decision when it is frozen
(`Decision.batch_plain`), so that a national revaluation does not check a million `jsonb`
documents again on every run; a decision without the flag (written before it existed, or
by a bulk load) is checked in SQL at run time by the same rule (`PLAIN_CASE`).

The SQL check is the definition; `is_plain` is the same rule in Python and never more
lenient (a float written with an exponent is not plain here, though PostgreSQL would print
it without one): a case that is not plain only takes the row path's slower way, with the
same result.
"""

from __future__ import annotations

import math
import re
from typing import Any

from vetbridge.rules.batch import CAUSE_CODES, CONTEXT_CODES

CASE_KEYS = ("date", "infirmities", "third_person", "grade", "left_service")
ROW_KEYS = (
    "label",
    "rate",
    "cause",
    "context",
    "addition",
    "third_person",
    "amputation_without_prosthesis",
    "arithmetic_addition",
)
# A decimal number as JSON number or string: what Python's float() and PostgreSQL's float8
# read alike (no exponent, no 'nan', no spaces, no underscores).
NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def sql_keys(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]::text[]"


# The SQL below is built from the constants above only (never from input): S608 is silenced.
# Each condition mirrors what the row path reads from the JSON: when in doubt the case is not
# plain and goes the row path's way. COALESCE(…, false): a row without a rate is not plain.
PLAIN_ROW = f"""COALESCE((
    jsonb_typeof(r) = 'object'
    AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(r) k WHERE k <> ALL ({sql_keys(ROW_KEYS)}))
    AND (r->'addition' IS NULL OR r->'addition' = '"chain"'::jsonb)
    AND jsonb_typeof(r->'rate') IN ('number', 'string') AND r->>'rate' ~ '{NUMBER}'
    AND (r->'arithmetic_addition' IS NULL
         OR (jsonb_typeof(r->'arithmetic_addition') IN ('number', 'string')
             AND r->>'arithmetic_addition' ~ '{NUMBER}'))
    AND (r->'cause' IS NULL OR (jsonb_typeof(r->'cause') = 'string'
                                AND r->>'cause' = ANY ({sql_keys(tuple(CAUSE_CODES))})))
    AND (r->'context' IS NULL OR (jsonb_typeof(r->'context') = 'string'
                                  AND r->>'context' = ANY ({sql_keys(tuple(CONTEXT_CODES))})))
    AND COALESCE(jsonb_typeof(r->'amputation_without_prosthesis'), 'boolean') = 'boolean'
    AND COALESCE(jsonb_typeof(r->'third_person'), 'boolean') = 'boolean'), false)"""  # noqa: S608


def plain_case_sql(inputs: str) -> str:
    """The rule in SQL over the `jsonb` expression `inputs` (a column name)."""
    return f"""COALESCE((
    jsonb_typeof({inputs}) = 'object'
    AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys({inputs}) k
                    WHERE k <> ALL ({sql_keys(CASE_KEYS)}))
    AND jsonb_typeof({inputs}->'infirmities') = 'array'
    AND jsonb_array_length({inputs}->'infirmities') > 0
    AND COALESCE(jsonb_typeof({inputs}->'grade'), 'string') = 'string'
    AND COALESCE(jsonb_typeof({inputs}->'left_service'), 'boolean') = 'boolean'
    AND COALESCE(jsonb_typeof({inputs}->'third_person'), 'boolean') = 'boolean'
    AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements({inputs}->'infirmities') r
                    WHERE NOT {PLAIN_ROW})
    AND NOT (COALESCE(({inputs}->>'third_person')::boolean, false)
             AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements({inputs}->'infirmities') r
                             WHERE r->'third_person' = 'true'::jsonb))), false)"""  # noqa: S608


def _number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value) and _NUMBER.fullmatch(repr(value)) is not None
    if isinstance(value, str):
        return _NUMBER.fullmatch(value) is not None
    return False


def _absent_or(row: dict[str, Any], key: str, kind: type) -> bool:
    return key not in row or isinstance(row[key], kind)


def _plain_row(row: Any) -> bool:
    if not isinstance(row, dict) or not set(row) <= set(ROW_KEYS):
        return False
    return (
        ("addition" not in row or row["addition"] == "chain")
        and "rate" in row
        and _number(row["rate"])
        and ("arithmetic_addition" not in row or _number(row["arithmetic_addition"]))
        and ("cause" not in row or (isinstance(row["cause"], str) and row["cause"] in CAUSE_CODES))
        and (
            "context" not in row
            or (isinstance(row["context"], str) and row["context"] in CONTEXT_CODES)
        )
        and _absent_or(row, "amputation_without_prosthesis", bool)
        and _absent_or(row, "third_person", bool)
    )


def is_plain(inputs: Any) -> bool:
    """The rule of `plain_case_sql` over a decision's inputs as stored (JSON types)."""
    if not isinstance(inputs, dict) or not set(inputs) <= set(CASE_KEYS):
        return False
    rows = inputs.get("infirmities")
    if not isinstance(rows, list) or not rows:
        return False
    if not (
        _absent_or(inputs, "grade", str)
        and _absent_or(inputs, "left_service", bool)
        and _absent_or(inputs, "third_person", bool)
    ):
        return False
    if not all(_plain_row(row) for row in rows):
        return False
    return not (
        inputs.get("third_person") is True
        and not any(row.get("third_person") is True for row in rows)
    )
