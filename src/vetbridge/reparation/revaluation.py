"""Revaluation of the French pensions in payment when a new point value takes effect.

Every granted French pension still in payment on the date (the latest granting decision of
each person, not superseded, still valid: the same rule as `selectors.pensions_in_payment`)
is recomputed from its FROZEN inputs with the parameters in force on that date (L125-2:
amount = index points × point value): all at once through the batch path
(`rules.batch.compute_pmi_batch`), the few cases the batch has no column for (children,
grand mutilé, legacy arithmetic rows) through the scalar calculator. One `Revaluation` row
per decision and date, written in chunks with `bulk_create`; the decision itself stays frozen.

Idempotent: a decision already revalued for the date is skipped, so a second run writes
nothing. One audit entry per run (counts, parameter digest). Each revalued claim gets a line
in its history, an in-platform notification for the claimant's accounts, their contact
person and whoever filed the claim, and one e-mail notice per recipient after commit.
Ukrainian assistance is a one-time payment, not a pension in payment: not revalued here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User
from vetbridge.core.exceptions import NotFoundError, field_error
from vetbridge.core.mail import notify_users, site_url
from vetbridge.core.models import JobProgress
from vetbridge.rules.batch import compute_pmi_batch
from vetbridge.rules.errors import InputError
from vetbridge.rules.fr.pmi import compute_pmi_json
from vetbridge.rules.inputs import in_force
from vetbridge.rules.parameters import Parameters, default_set
from vetbridge.rules.version import RULES_VERSION

from .kinds import kinds_where
from .models import ClaimEvent, Decision, Notification, Revaluation

CHUNK = 20_000
CENT = Decimal("0.01")
PAYING_OUTCOMES = ("grant_temporary", "grant_definitive", "grant")
# Keys of a frozen case the batch path has columns for; anything else goes scalar.
BATCH_CASE_KEYS = frozenset({"date", "infirmities", "third_person", "grade", "left_service"})
BATCH_ROW_KEYS = frozenset(
    {
        "label",
        "rate",
        "cause",
        "context",
        "addition",
        "third_person",
        "amputation_without_prosthesis",
        "arithmetic_addition",
    }
)

Progress = Callable[[int, str], None]


@dataclass
class RevaluationReport:
    date: dt.date
    dry_run: bool
    point_value: str
    digest: str
    rules_version: str
    in_payment: int = 0
    already: int = 0  # revalued earlier for this date: skipped
    revalued: int = 0
    changed: int = 0
    scalar: int = 0  # computed by the scalar path
    notified: int = 0
    total_before: str = "0.00"
    total_after: str = "0.00"
    rows: list[dict[str, Any]] = field(default_factory=list)  # first rows, for the reader

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "dry_run": self.dry_run,
            "point_value": self.point_value,
            "digest": self.digest,
            "rules_version": self.rules_version,
            "in_payment": self.in_payment,
            "already_revalued": self.already,
            "revalued": self.revalued,
            "changed": self.changed,
            "scalar": self.scalar,
            "notified": self.notified,
            "total_before": self.total_before,
            "total_after": self.total_after,
            "sample": self.rows,
        }


@dataclass
class _Pension:
    decision_id: int
    claim_id: int
    inputs: dict[str, Any]
    old_amount: Decimal
    state: str = ""
    person_id: int = 0
    followers: tuple[int, ...] = ()  # contact person, whoever filed the claim


def parse_date(value: Any) -> dt.date:
    """`YYYY-MM-DD`, else an error naming `date`."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise field_error("date", _("Enter a date as YYYY-MM-DD.")) from None


def _in_payment(on: dt.date) -> list[tuple[Any, ...]]:
    """(decision id, claim id, frozen inputs, decided amount, claim state, person id,
    contact person, filer) of the latest granting French decision of each person still valid
    on `on`."""
    rows = (
        Decision.objects.filter(
            outcome__in=PAYING_OUTCOMES,
            computed_on__lte=on,
            claim__kind__in=kinds_where(revaluable=True),
            claim__person__merged_into__isnull=True,
        )
        .exclude(valid_until__lt=on)
        .order_by("claim__person_id", "decided_at", "id")
        .values_list(
            "claim__person_id",
            "id",
            "claim_id",
            "inputs",
            "amount",
            "claim__state",
            "claim__person__contact_person_id",
            "claim__filed_by_id",
        )
    )
    latest: dict[int, tuple[Any, ...]] = {}
    for person_id, decision_id, claim_id, inputs, amount, state, contact, filer in rows.iterator(
        chunk_size=20_000
    ):
        latest[person_id] = (
            decision_id,
            claim_id,
            inputs,
            amount,
            state,
            person_id,
            tuple(u for u in (contact, filer) if u),
        )
    return list(latest.values())


def _batchable(inputs: dict[str, Any]) -> bool:
    if not set(inputs) <= BATCH_CASE_KEYS or not inputs.get("infirmities"):
        return False
    # A case-level third-person need without a flag on a row: the batch has no column for it.
    if inputs.get("third_person") and not any(
        row.get("third_person") for row in inputs["infirmities"]
    ):
        return False
    return all(
        set(row) <= BATCH_ROW_KEYS and row.get("addition", "chain") == "chain"
        for row in inputs["infirmities"]
    )


def _compute(
    pensions: list[_Pension],
    on: dt.date,
    params: Parameters,
) -> tuple[list[tuple[Decimal, Decimal]], int]:
    """(points, annual amount) per pension, in order; and how many went scalar."""
    out: list[tuple[Decimal, Decimal] | None] = [None] * len(pensions)
    batch_idx = [i for i, p in enumerate(pensions) if _batchable(p.inputs)]
    scalar_idx = sorted(set(range(len(pensions))) - set(batch_idx))
    if batch_idx:
        pid, rate, cause, context, add, amp, tp, grade, left = ([] for _i in range(9))
        for i in batch_idx:
            inputs = pensions[i].inputs
            for row in inputs["infirmities"]:
                pid.append(i)
                rate.append(float(row["rate"]))
                cause.append(row.get("cause", "injury"))
                context.append(row.get("context", "peace"))
                add.append(float(row.get("arithmetic_addition", 0)))
                amp.append(bool(row.get("amputation_without_prosthesis", False)))
                tp.append(bool(row.get("third_person", False)))
                grade.append(inputs.get("grade", "soldier"))
                left.append(bool(inputs.get("left_service", False)))
        result = compute_pmi_batch(
            np.asarray(pid, dtype=np.int64),
            rate,
            cause,
            context,
            on,
            params,
            arithmetic_addition=add,
            amputation_without_prosthesis=amp,
            third_person=tp,
            grade=grade,
            left_service=left,
        )
        cents = np.round(result.annual_amount_eur * 100).astype(np.int64).tolist()
        points = result.points.tolist()
        for k, i in enumerate(result.person_id.tolist()):
            out[int(i)] = (
                Decimal(repr(points[k])).quantize(Decimal("0.0001")),
                (Decimal(cents[k]) / 100).quantize(CENT),
            )
    for i in scalar_idx:
        res = compute_pmi_json({**pensions[i].inputs, "date": on.isoformat()}, params)
        out[i] = (
            Decimal(str(res.get("points", 0))).quantize(Decimal("0.0001")),
            Decimal(str(res.get("annual_amount_eur", 0))).quantize(CENT, ROUND_HALF_UP),
        )
    return [x for x in out if x is not None], len(scalar_idx)


def revalue(
    *,
    on: Any,
    actor: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    sample: int = 20,
    params: Parameters | None = None,
    bulk: bool | None = None,
) -> RevaluationReport:
    """Recompute every French pension in payment on `on` at the parameters in force then
    (the law's files, or `params`, e.g. a reform overlay, for a simulation). `bulk`: the
    PostgreSQL bulk path (`revaluation_bulk.py`; the default there), else the row path."""
    date = parse_date(on)
    report_progress = progress or (lambda _p, _s: None)
    params = params or default_set("fr")
    try:
        point_value = Decimal(in_force(params, "fr.point_value", date, field="date"))
    except InputError as exc:
        raise field_error(
            "date", _("No point value is in force on this date (%(why)s).") % {"why": exc.message}
        ) from None
    report = RevaluationReport(date, dry_run, str(point_value), params.digest, RULES_VERSION)
    if connection.vendor == "postgresql" if bulk is None else bulk:
        return _revalue_bulk(report, params, actor, report_progress, sample)

    report_progress(2, "reading")
    found = _in_payment(date)
    report.in_payment = len(found)
    done = set(Revaluation.objects.filter(effective_on=date).values_list("decision_id", flat=True))
    report.already = sum(1 for row in found if row[0] in done)
    previous: dict[int, Decimal] = {}  # latest amount revalued before this date
    for decision_id, amount in (
        Revaluation.objects.filter(effective_on__lt=date)
        .order_by("effective_on", "id")
        .values_list("decision_id", "new_amount")
        .iterator(chunk_size=20_000)
    ):
        previous[decision_id] = amount
    pensions = [
        _Pension(
            d, c, inputs or {}, previous.get(d, amount or Decimal(0)), state, person_id, followers
        )
        for d, c, inputs, amount, state, person_id, followers in found
        if d not in done
    ]
    report_progress(5, "computing")
    try:
        computed, report.scalar = _compute(pensions, date, params) if pensions else ([], 0)
    except InputError as exc:
        raise field_error("date", f"{exc.field}: {exc.message}") from None
    report.revalued = len(pensions)
    before = after = Decimal(0)
    for p, (_points, amount) in zip(pensions, computed, strict=True):
        before += p.old_amount
        after += amount
        report.changed += amount != p.old_amount
    report.total_before, report.total_after = str(before), str(after)
    report.rows = [
        {
            "decision": p.decision_id,
            "claim": p.claim_id,
            "old": str(p.old_amount),
            "new": str(a),
            "points": str(pts),
        }
        for p, (pts, a) in zip(pensions[:sample], computed[:sample], strict=True)
    ]
    if dry_run or not pensions:
        report_progress(100, "done")
        return report
    report_progress(10, "writing")
    _write(pensions, computed, report, actor, report_progress)
    return report


@transaction.atomic
def _revalue_bulk(
    report: RevaluationReport,
    params: Parameters,
    actor: User | None,
    progress: Progress,
    sample: int,
) -> RevaluationReport:
    """The same revaluation in bulk on PostgreSQL (one transaction; its temporary tables
    are dropped at the end)."""
    from . import revaluation_bulk as bulk

    try:
        return _bulk_steps(report, params, actor, progress, sample)
    finally:
        if not connection.needs_rollback and connection.is_usable():
            bulk.drop_temporary()


def _bulk_steps(
    report: RevaluationReport,
    params: Parameters,
    actor: User | None,
    progress: Progress,
    sample: int,
) -> RevaluationReport:
    from . import revaluation_bulk as bulk

    date = report.date
    progress(2, "reading")
    report.in_payment, report.already = bulk.select_todo(
        date, PAYING_OUTCOMES, tuple(kinds_where(revaluable=True))
    )
    cols = bulk.plain_arrays()
    progress(5, "computing")
    others = bulk.other_cases()
    try:
        ords, points, cents = bulk.compute_plain(cols, date, params)
        texts = bulk.points_text(points)
        if others:
            pensions = [
                _Pension(d, c, json.loads(inputs) or {}, Decimal(0), state)
                for _o, d, c, state, inputs in others
            ]
            computed, report.scalar = _compute(pensions, date, params)
            ords = np.concatenate([ords, np.asarray([o for o, *_r in others], dtype=np.int64)])
            texts += [str(pts) for pts, _a in computed]
            cents = np.concatenate(
                [cents, np.asarray([int(a * 100) for _p, a in computed], dtype=np.int64)]
            )
    except InputError as exc:
        raise field_error("date", f"{exc.field}: {exc.message}") from None
    bulk.store_new(ords, texts, cents)
    report.revalued, report.changed, before, after = bulk.totals()
    report.total_before, report.total_after = str(before), str(after)
    report.rows = bulk.sample_rows(sample) if sample else []
    if report.dry_run or not report.revalued:
        progress(100, "done")
        return report
    progress(10, "writing")
    report.notified, recipients = bulk.write(
        on=date,
        point_value=Decimal(report.point_value),
        digest=report.digest,
        rules_version=report.rules_version,
        now=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
    )
    _audit_and_notify(report, actor, recipients)
    progress(100, "done")
    return report


def _audit_and_notify(
    report: RevaluationReport, actor: User | None, recipients: Iterable[int]
) -> None:
    date = report.date
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="reparation.revaluation",
        object_id=date.isoformat(),
        summary=f"revaluation {date.isoformat()}",
        changes={
            "revalued": report.revalued,
            "changed": report.changed,
            "already_revalued": report.already,
            "notified": report.notified,
            "point_value": report.point_value,
            "digest": report.digest,
            "rules_version": report.rules_version,
            "total_before": report.total_before,
            "total_after": report.total_after,
        },
    )
    notify_users(
        recipients, "revaluation", {"date": date, "link": site_url(reverse("reparation:list"))}
    )


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` primary keys for rows written below without the ORM. PostgreSQL: from the
    table's identity sequence (safe beside concurrent writers). SQLite: after the largest id,
    inside the write transaction, which SQLite holds alone (IMMEDIATE, settings)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, n],
            )
            return [row[0] for row in cur.fetchall()]
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (quoted name)
        top = int(cur.fetchone()[0])
    return list(range(top + 1, top + 1 + n))


def _insert_rows(
    model: type[models.Model],
    columns: list[str],
    rows: list[tuple[Any, ...]],
) -> None:
    """Bulk insert of plain tuples (values already adapted for the database): COPY on
    PostgreSQL, executemany elsewhere. Model instances cost more than the database here."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608
                rows,
            )


@transaction.atomic
def _write(
    pensions: list[_Pension],
    computed: list[tuple[Decimal, Decimal]],
    report: RevaluationReport,
    actor: User | None,
    progress: Progress,
) -> None:
    date, digest = report.date, report.digest
    ops = connection.ops
    point_value = ops.adapt_decimalfield_value(Decimal(report.point_value), 10, 4)
    day = ops.adapt_datefield_value(date)
    now = ops.adapt_datetimefield_value(timezone.now())
    # The claimants' own accounts (far fewer than pensions: no query per claim, no IN list).
    accounts: dict[int, list[int]] = {}
    for uid, person_id in (
        User.objects.filter(is_active=True, person__isnull=False)
        .values_list("pk", "person_id")
        .iterator(chunk_size=20_000)
    ):
        accounts.setdefault(person_id, []).append(uid)
    recipients: set[int] = set()
    total = len(pensions)
    reval_cols = [
        "decision_id",
        "claim_id",
        "effective_on",
        "old_amount",
        "new_amount",
        "points",
        "point_value",
        "params_digest",
        "rules_version",
        "created_at",
    ]
    event_cols = ["id", "claim_id", "at", "from_state", "to_state", "note", "problem"]
    note_cols = ["user_id", "claim_id", "event_id", "created_at"]
    for start in range(0, total, CHUNK):
        part = list(
            zip(pensions[start : start + CHUNK], computed[start : start + CHUNK], strict=True)
        )
        _insert_rows(
            Revaluation,
            reval_cols,
            [
                (
                    p.decision_id,
                    p.claim_id,
                    day,
                    ops.adapt_decimalfield_value(p.old_amount, 12, 2),
                    ops.adapt_decimalfield_value(amount, 12, 2),
                    ops.adapt_decimalfield_value(points, 12, 4),
                    point_value,
                    digest,
                    report.rules_version,
                    now,
                )
                for p, (points, amount) in part
            ],
        )
        ids = _reserve_ids(ClaimEvent, len(part))
        _insert_rows(
            ClaimEvent,
            event_cols,
            [
                (
                    event_id,
                    p.claim_id,
                    now,
                    p.state,
                    p.state,
                    f"revaluation {date.isoformat()}: {p.old_amount} → {amount} EUR",
                    False,
                )
                for event_id, (p, (_points, amount)) in zip(ids, part, strict=True)
            ],
        )
        notes: list[tuple[Any, ...]] = []
        for event_id, (p, _computed) in zip(ids, part, strict=True):
            users = set(accounts.get(p.person_id, []))
            users.update(p.followers)
            if actor is not None:
                users.discard(actor.pk)
            recipients |= users
            notes.extend((u, p.claim_id, event_id, now) for u in users)
        _insert_rows(Notification, note_cols, notes)
        report.notified += len(notes)
        progress(10 + 88 * min(total, start + CHUNK) // total, "writing")
    _audit_and_notify(report, actor, recipients)


# ---------------------------------------------------------------- as a background task

JOB_KIND = "reparation.revaluation"


def revaluation_start(*, actor: User, on: Any) -> JobProgress:
    """Check the date (a point value must be in force), then queue the revaluation as a
    background task; the officer follows it on the page."""
    from vetbridge.accounts.roles import Capability
    from vetbridge.accounts.scoping import require
    from vetbridge.core.progress import progress_create, progress_enqueue

    from .tasks import revaluation_task

    require(actor, Capability.CLAIMS_DECIDE)
    date = parse_date(on)
    try:
        in_force(default_set("fr"), "fr.point_value", date, field="date")
    except InputError as exc:
        raise field_error(
            "date", _("No point value is in force on this date (%(why)s).") % {"why": exc.message}
        ) from None
    progress = progress_create(
        kind=JOB_KIND, subject=f"revaluation:{date.isoformat()}", actor=actor
    )
    return progress_enqueue(progress, revaluation_task, on=date.isoformat(), actor_id=actor.pk)


def revaluation_jobs() -> QuerySet[JobProgress]:
    return JobProgress.objects.filter(kind=JOB_KIND).select_related("created_by")


def revaluation_job(job_id: int) -> JobProgress:
    job = revaluation_jobs().filter(pk=job_id).first()
    if job is None:
        raise NotFoundError(_("This revaluation does not exist."))
    return job


def revaluation_runs() -> list[dict[str, Any]]:
    """Stored revaluations by effective date: pensions, total before and after."""
    return list(
        Revaluation.objects.values("effective_on", "point_value", "params_digest")
        .annotate(n=Count("id"), before=Sum("old_amount"), after=Sum("new_amount"))
        .order_by("-effective_on")
    )
