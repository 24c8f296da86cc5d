"""Revaluation on PostgreSQL in bulk: the database selects, unpacks and writes, Python only
computes (issue 13, point 5: a million pensions in under a minute).

Same rule and same results as the row path of `revaluation.py` (a test compares them on a
mixed sample), but no Python object per pension:

1. one `CREATE TEMP TABLE … AS SELECT DISTINCT ON (person)` picks the latest granting French
   decision of each person still valid on the date, its previous amount (the latest earlier
   revaluation, else the decided amount) and whether its frozen inputs are *plain*: only the
   keys and JSON types the batch has columns for (checked in SQL, strictly: anything unusual
   is not plain);
2. the infirmities of the plain cases are unpacked by PostgreSQL (`jsonb_array_elements`)
   and streamed with `COPY … TO STDOUT` as CSV, read into arrays by polars, computed by the
   batch kernel (`rules.batch.compute_pmi_batch`, numba when available) in one call;
3. the few other cases (children, grand mutilé, legacy rows, odd types) go through the row
   path's `_compute` (batch or scalar calculator), exactly as before;
4. the new amounts go back with one `COPY` into a temporary table, and three
   `INSERT … SELECT` write the revaluations, the claims' history lines (ids from the
   sequence) and the notifications; the totals are one aggregate query.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection

from vetbridge.rules.batch import CAUSE_CODES, CONTEXT_CODES, compute_pmi_batch
from vetbridge.rules.parameters import Parameters

from .plain import plain_case_sql
from .plain import sql_keys as _keys

Q4 = Decimal("0.0001")

TEMP_TABLES = "reval_latest, reval_todo, reval_new, reval_out, reval_notes"

SELECT_TODO = f"""
DROP TABLE IF EXISTS {TEMP_TABLES};
CREATE TEMP TABLE reval_latest ON COMMIT DROP AS
SELECT DISTINCT ON (c.person_id)
       d.id AS decision_id, d.claim_id, c.person_id, c.state, p.contact_person_id AS contact,
       c.filed_by_id AS filer, d.amount, d.batch_plain, d.inputs
  FROM reparation_decision d
  JOIN reparation_claim c ON c.id = d.claim_id
  JOIN people_person p ON p.id = c.person_id
 WHERE d.outcome = ANY (%(outcomes)s) AND d.computed_on <= %(on)s
   AND c.kind = ANY (%(kinds)s) AND p.merged_into_id IS NULL
   AND (d.valid_until IS NULL OR d.valid_until >= %(on)s)
 ORDER BY c.person_id, d.decided_at DESC, d.id DESC;
CREATE TEMP TABLE reval_todo ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY l.person_id) - 1 AS ord, l.decision_id, l.claim_id,
       l.person_id, l.state, l.contact, l.filer,
       COALESCE(prev.new_amount,
                CASE WHEN l.amount IS NULL OR l.amount = 0 THEN 0 ELSE l.amount END
               ) AS old_amount,
       COALESCE(l.batch_plain, {plain_case_sql("l.inputs")}) AS plain, l.inputs
  FROM reval_latest l
  LEFT JOIN (SELECT DISTINCT ON (decision_id) decision_id, new_amount
               FROM reparation_revaluation WHERE effective_on < %(on)s
              ORDER BY decision_id, effective_on DESC, id DESC) prev
         ON prev.decision_id = l.decision_id
 WHERE NOT EXISTS (SELECT 1 FROM reparation_revaluation v
                    WHERE v.decision_id = l.decision_id AND v.effective_on = %(on)s);
"""  # noqa: S608

PLAIN_ROWS = f"""
COPY (SELECT t.ord, (r->>'rate')::float8 AS rate,
             array_position({_keys(tuple(CAUSE_CODES))}, COALESCE(r->>'cause', 'injury')) - 1,
             array_position({_keys(tuple(CONTEXT_CODES))}, COALESCE(r->>'context', 'peace')) - 1,
             COALESCE((r->>'arithmetic_addition')::float8, 0),
             COALESCE((r->>'amputation_without_prosthesis')::boolean, false)::int,
             COALESCE((r->>'third_person')::boolean, false)::int,
             COALESCE(t.inputs->>'grade', 'soldier'),
             COALESCE((t.inputs->>'left_service')::boolean, false)::int
        FROM reval_todo t
       CROSS JOIN LATERAL jsonb_array_elements(t.inputs->'infirmities') WITH ORDINALITY e(r, i)
       WHERE t.plain
       ORDER BY t.ord, e.i) TO STDOUT WITH (FORMAT csv)
"""  # noqa: S608


def select_todo(on: Any, outcomes: tuple[str, ...], kinds: tuple[str, ...]) -> tuple[int, int]:
    """Fill the temporary tables of the run (inside the caller's transaction). Returns
    (pensions in payment, of which already revalued on the date)."""
    with connection.cursor() as cur:
        for statement in SELECT_TODO.split(";\n"):
            if statement.strip():
                cur.execute(statement, {"on": on, "outcomes": list(outcomes), "kinds": list(kinds)})
        cur.execute("SELECT (SELECT count(*) FROM reval_latest), (SELECT count(*) FROM reval_todo)")
        in_payment, todo = cur.fetchone()
    return int(in_payment), int(in_payment) - int(todo)


def drop_temporary() -> None:
    """The run's tables are dropped at commit; also at once, for a caller whose transaction
    goes on (a second run in the same transaction)."""
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TEMP_TABLES}")


def plain_arrays() -> dict[str, np.ndarray]:
    """The plain cases' infirmities as columns, one row per infirmity, grouped by `ord`."""
    import polars as pl

    buf = io.BytesIO()
    with connection.cursor() as cur, cur.cursor.copy(PLAIN_ROWS) as copy:
        for chunk in copy:
            buf.write(chunk)
    names = ["ord", "rate", "cause", "context", "add", "amp", "tp", "grade", "left"]
    if not buf.tell():
        return {}
    buf.seek(0)
    frame = pl.read_csv(
        buf,
        has_header=False,
        new_columns=names,
        schema_overrides={
            "ord": pl.Int64,
            "rate": pl.Float64,
            "cause": pl.Int64,
            "context": pl.Int64,
            "add": pl.Float64,
            "amp": pl.Int8,
            "tp": pl.Int8,
            "grade": pl.Utf8,
            "left": pl.Int8,
        },
    )
    return {name: frame[name].to_numpy() for name in names}


def compute_plain(
    cols: dict[str, np.ndarray],
    on: Any,
    params: Parameters,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ord, points, cents) of the plain cases, through the batch kernel in one call."""
    if not cols:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), empty
    result = compute_pmi_batch(
        cols["ord"],
        cols["rate"],
        cols["cause"],
        cols["context"],
        on,
        params,
        arithmetic_addition=cols["add"],
        amputation_without_prosthesis=cols["amp"] != 0,
        third_person=cols["tp"] != 0,
        grade=cols["grade"],
        left_service=cols["left"] != 0,
    )
    cents = np.round(result.annual_amount_eur * 100).astype(np.int64)
    return result.person_id.astype(np.int64), result.points, cents


def points_text(points: np.ndarray) -> list[str]:
    """Each float as the row path stores it (`Decimal(repr(x)).quantize(0.0001)`), computed
    once per distinct value (a few hundred among a million)."""
    if not len(points):
        return []
    uniq, inverse = np.unique(points, return_inverse=True)
    texts = [str(Decimal(repr(float(u))).quantize(Q4)) for u in uniq.tolist()]
    return [texts[i] for i in inverse.tolist()]


def other_cases() -> list[tuple[int, int, int, str, str]]:
    """(ord, decision id, claim id, state, inputs as JSON text) of the cases that are not
    plain: few, read whole."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ord, decision_id, claim_id, state, inputs::text FROM reval_todo "
            "WHERE NOT plain ORDER BY ord"
        )
        return list(cur.fetchall())


def store_new(ords: np.ndarray, points: list[str], cents: np.ndarray) -> None:
    """COPY the new amounts into `reval_new` (ord, points, amount)."""
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE reval_new (ord bigint PRIMARY KEY, points numeric(12, 4), "
            "amount numeric(12, 2)) ON COMMIT DROP"
        )
        lines = [
            f"{o}\t{p}\t{c // 100}.{c % 100:02d}\n" if c >= 0 else f"{o}\t{p}\t{Decimal(c) / 100}\n"
            for o, p, c in zip(ords.tolist(), points, cents.tolist(), strict=True)
        ]
        with cur.cursor.copy("COPY reval_new (ord, points, amount) FROM STDIN") as copy:
            step = 100_000
            for start in range(0, len(lines), step):
                copy.write("".join(lines[start : start + step]))
        cur.execute("ANALYZE reval_new")


def totals() -> tuple[int, int, Decimal, Decimal]:
    """(revalued, changed, total before, total after)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE n.amount <> t.old_amount), "
            "COALESCE(sum(t.old_amount), 0), COALESCE(sum(n.amount), 0) "
            "FROM reval_todo t JOIN reval_new n USING (ord)"
        )
        n, changed, before, after = cur.fetchone()
    return int(n), int(changed), Decimal(before), Decimal(after)


def sample_rows(limit: int) -> list[dict[str, Any]]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT t.decision_id, t.claim_id, t.old_amount, n.amount, n.points "
            "FROM reval_todo t JOIN reval_new n USING (ord) ORDER BY ord LIMIT %s",
            [limit],
        )
        return [
            {"decision": d, "claim": c, "old": str(o), "new": str(a), "points": str(p)}
            for d, c, o, a, p in cur.fetchall()
        ]


WRITE = """
CREATE TEMP TABLE reval_out ON COMMIT DROP AS
SELECT t.ord, t.decision_id, t.claim_id, t.person_id, t.state, t.contact, t.filer,
       t.old_amount, n.amount, n.points,
       nextval(pg_get_serial_sequence('reparation_claimevent', 'id')) AS event_id
  FROM reval_todo t JOIN reval_new n USING (ord);
INSERT INTO reparation_revaluation (decision_id, claim_id, effective_on, old_amount,
       new_amount, points, point_value, params_digest, rules_version, created_at)
SELECT decision_id, claim_id, %(on)s, old_amount, amount, points, %(point_value)s,
       %(digest)s, %(rules_version)s, %(now)s
  FROM reval_out ORDER BY ord;
INSERT INTO reparation_claimevent (id, claim_id, at, from_state, to_state, note, problem)
SELECT event_id, claim_id, %(now)s, state, state,
       'revaluation ' || %(day)s || ': ' || old_amount::text || ' → ' || amount::text || ' EUR',
       false
  FROM reval_out ORDER BY ord;
CREATE TEMP TABLE reval_notes ON COMMIT DROP AS
SELECT DISTINCT x.user_id, x.claim_id, x.event_id FROM (
    SELECT contact AS user_id, claim_id, event_id FROM reval_out WHERE contact IS NOT NULL
    UNION ALL
    SELECT filer, claim_id, event_id FROM reval_out WHERE filer IS NOT NULL
    UNION ALL
    SELECT u.id, o.claim_id, o.event_id FROM reval_out o
      JOIN accounts_user u ON u.person_id = o.person_id AND u.is_active
) x WHERE x.user_id IS DISTINCT FROM %(actor)s;
INSERT INTO reparation_notification (user_id, claim_id, event_id, created_at)
SELECT user_id, claim_id, event_id, %(now)s FROM reval_notes
"""


def write(
    *,
    on: Any,
    point_value: Decimal,
    digest: str,
    rules_version: str,
    now: Any,
    actor_id: int | None,
) -> tuple[int, list[int]]:
    """Write the revaluations, history lines and notifications. Returns (notifications,
    recipients)."""
    args = {
        "on": on,
        "day": on.isoformat(),
        "point_value": point_value,
        "digest": digest,
        "rules_version": rules_version,
        "now": now,
        "actor": actor_id,
    }
    with connection.cursor() as cur:
        for statement in WRITE.split(";\n"):
            if statement.strip():
                cur.execute(statement, args)
        cur.execute("SELECT count(*) FROM reval_notes")
        notified = int(cur.fetchone()[0])
        cur.execute("SELECT DISTINCT user_id FROM reval_notes")
        recipients = [row[0] for row in cur.fetchall()]
    return notified, recipients
