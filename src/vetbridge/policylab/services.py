"""Policy lab writes: create a simulation run, execute it (in a background task), replay it.

The law and the simulation itself are pure Python (`vetbridge.rules.reform`,
`vetbridge.rules.simulate`); the registry's pensioners come through the reparation app's
published selector `pensions_in_payment`, never from its models.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import require
from vetbridge.core.exceptions import ApplicationError, NotFoundError, field_error
from vetbridge.core.progress import Reporter, progress_create, progress_enqueue
from vetbridge.rules.errors import InputError
from vetbridge.rules.parameters import ParameterError, Parameters, default_sets
from vetbridge.rules.reform import Reform, example_reforms, parse_reform
from vetbridge.rules.simulate import (
    Population,
    parse_population_spec,
    population_to_parquet,
    read_population,
    simulate,
    synthetic_population,
)
from vetbridge.rules.version import RULES_VERSION

from .models import PopulationKind, SimulationRun

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_SYNTHETIC = 2_000_000
JOB_KIND = "policylab.simulation"


@dataclass(frozen=True)
class RunRequest:
    """What an analyst asks: a population, a date and a reform (shipped or written)."""

    population_kind: str
    date: dt.date
    reform_key: str = ""  # stem of a shipped reform, or "" with reform_yaml, or none at all
    reform_yaml: str = ""
    synthetic_size: int = 10_000
    synthetic_seed: int = 2026
    upload: bytes | None = None
    upload_name: str = ""
    title: str = ""


def _input_error(exc: InputError, prefix: str) -> ApplicationError:
    """A refusal of the rules engine (field and reason in English, as the engine speaks),
    put on the form field `prefix` with a translated lead."""
    return field_error(
        prefix,
        _("Not valid at %(field)s: %(reason)s") % {"field": exc.field, "reason": exc.message},
    )


def reform_from_request(req: RunRequest) -> Reform | None:
    if req.reform_yaml.strip():
        try:
            return parse_reform(req.reform_yaml)
        except InputError as exc:
            raise _input_error(exc, "reform_yaml") from exc
    if req.reform_key:
        path = example_reforms().get(req.reform_key)
        if path is None:
            raise field_error("reform_key", _("No such reform."))
        return parse_reform(path.read_text(encoding="utf-8"))
    return None


def run_create(*, actor: User, req: RunRequest) -> SimulationRun:
    """Validate the request, store the run with the law's files, then enqueue its task."""
    require(actor, Capability.POLICYLAB_RUN)
    reform = reform_from_request(req)
    base = default_sets()
    try:
        base["fr"].at("fr.point_value", req.date)
    except ParameterError as exc:
        raise field_error(
            "date",
            _("No value of the PMI point is known for this date (the series starts on %(start)s).")
            % {"start": base["fr"]["fr.point_value"].values[0].start},
        ) from exc
    spec, data, description, digest, persons = "", None, "", "", 0
    if req.population_kind == PopulationKind.SYNTHETIC:
        if not 1 <= req.synthetic_size <= MAX_SYNTHETIC:
            raise field_error(
                "synthetic_size",
                _("Between 1 and %(max)s persons.") % {"max": f"{MAX_SYNTHETIC:,}"},
            )
        spec = f"synthetic:{req.synthetic_size}:{req.synthetic_seed}"
        description = spec
        persons = req.synthetic_size
    elif req.population_kind == PopulationKind.UPLOAD:
        if not req.upload:
            raise field_error("upload", _("Choose a CSV or Parquet file."))
        if len(req.upload) > MAX_UPLOAD_BYTES:
            raise field_error("upload", _("The file is larger than 50 MB."))
        try:
            pop = read_population(
                req.upload,
                name=req.upload_name,
                parquet=req.upload_name.lower().endswith(".parquet"),
            )
        except InputError as exc:
            raise _input_error(exc, "upload") from exc
        data = population_to_parquet(pop)
        description = pop.description[:300]
        digest = pop.digest
        persons = int(np.unique(pop.person_id).shape[0])
    elif req.population_kind == PopulationKind.REGISTRY:
        description = _("pensions in payment on %(date)s") % {"date": req.date.isoformat()}
    else:
        raise field_error("population_kind", _("Not one of the allowed values."))
    with transaction.atomic():
        progress = progress_create(kind=JOB_KIND, actor=actor)
        run = SimulationRun(
            created_by=actor,
            title=req.title[:200],
            population_kind=req.population_kind,
            population_description=description,
            population_digest=digest,
            population_spec=spec,
            population_data=data,
            persons=persons,
            date=req.date,
            reform_name=reform.name if reform else "",
            reform_yaml=reform.text if reform else "",
            reform_digest=reform.digest if reform else "",
            rules_version=RULES_VERSION,
            params_files={k: dict(v.files) for k, v in base.items()},
            progress=progress,
        )
        run.full_clean(exclude=["population_digest", "population_data"])
        run.save()
        progress.subject = f"policylab.run:{run.pk}"
        progress.save(update_fields=["subject"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=run,
            summary=f"simulation {req.population_kind} {req.date.isoformat()} "
            f"{run.reform_digest or 'no reform'}",
            changes={"population": description, "reform": run.reform_name},
        )
    from .tasks import simulation_task

    progress_enqueue(progress, simulation_task, run_id=run.pk)
    run.refresh_from_db()
    return run


def _frozen_base(run: SimulationRun) -> dict[str, Parameters]:
    return {k: Parameters.from_files(k, files) for k, files in run.params_files.items()}


def registry_population(date: dt.date, sim: Parameters) -> Population:
    """The registry's pensions in payment on `date` as a population (one row per infirmity).
    A Ukrainian right without infirmity rates gets the lowest rate of its group
    (`sim.ua_group_min_rate`, an assumption of the simulation)."""
    from vetbridge.reparation.selectors import pensions_in_payment

    group_rate = sim.at("sim.ua_group_min_rate", date)
    pid: list[int] = []
    rate: list[float] = []
    cause: list[str] = []
    context: list[str] = []
    region: list[str] = []
    status: list[str] = []
    country: list[str] = []
    group: list[int] = []
    for case in pensions_in_payment(on=date):
        infs = list(case.infirmities)
        if not infs and case.disability_group:
            infs = [(str(group_rate[case.disability_group]), "injury", "war")]
        for r, c, x in infs:
            pid.append(case.seq)
            rate.append(float(r))
            cause.append(c)
            context.append(x)
            region.append(case.region)
            status.append(case.kind)
            country.append(case.country)
            group.append(case.disability_group)
    if not pid:
        raise ApplicationError(_("No pension is in payment in the registry on this date."))
    return Population(
        np.array(pid),
        np.array(rate),
        np.array(cause),
        np.array(context),
        region=np.array(region),
        status=np.array(status),
        country=np.array(country),
        ua_group=np.array(group, dtype=np.int64),
        description=f"registry: {len(set(pid))} rights in payment on {date.isoformat()}",
    )


def _population(run: SimulationRun, base: dict[str, Parameters]) -> Population:
    if run.population_kind == PopulationKind.SYNTHETIC:
        return synthetic_population(*parse_population_spec(run.population_spec))
    if run.population_data is not None:
        return read_population(
            bytes(run.population_data), parquet=True, name=run.population_description
        )
    return registry_population(run.date, base["sim"])


def _compute(run: SimulationRun, progress: Reporter | None = None) -> dict[str, Any]:
    base = _frozen_base(run)
    pop = _population(run, base)
    reform = parse_reform(run.reform_yaml, base) if run.reform_yaml else None
    result = simulate(pop, run.date, reform, base=base, progress=progress)
    result["population"]["description"] = run.population_description
    return result


def run_execute(*, run_id: int, progress: Reporter | None = None) -> SimulationRun:
    """The task's work: build the population, simulate, store the results."""
    run = SimulationRun.objects.get(pk=run_id)
    if run.results is not None:
        return run
    registry = run.population_kind == PopulationKind.REGISTRY and run.population_data is None
    base = _frozen_base(run)
    if registry:
        pop = registry_population(run.date, base["sim"])
        with transaction.atomic():
            run.population_data = population_to_parquet(pop)
            run.population_digest = pop.digest
            run.save(update_fields=["population_data", "population_digest"])
            audit_record(
                actor=run.created_by,
                action=AuditAction.READ,
                obj=run,
                summary=f"policylab registry population {pop.digest}",
                changes={"rows": pop.rows},
            )
    try:
        result = _compute(run, progress)
    except InputError as exc:
        raise ApplicationError(f"{exc.field}: {exc.message}") from exc
    with transaction.atomic():
        run.results = json.loads(json.dumps(result))
        run.population_digest = result["population"]["digest"]
        run.persons = result["persons"]
        run.baseline_params_digest = result["baseline"]["params_digest"]
        run.reform_params_digest = result["reform"]["params_digest"]
        run.save(
            update_fields=[
                "results",
                "population_digest",
                "persons",
                "baseline_params_digest",
                "reform_params_digest",
            ]
        )
    return run


@dataclass(frozen=True)
class ReplayCheck:
    identical: bool
    differences: list[str]


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            _diff(a.get(key), b.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(path)


def run_replay(*, actor: User | None, run_id: int) -> ReplayCheck:
    """Recompute a finished run from what it stored (population, reform YAML, the law's files
    as they were) and compare with the stored results, field by field. `actor` None is the
    operator's command line (`vetbridge policylab replay`)."""
    if actor is not None:
        require(actor, Capability.POLICYLAB_RUN)
    run = SimulationRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFoundError(_("No such simulation run."))
    if run.results is None:
        raise ApplicationError(_("This run has no results yet."))
    again = json.loads(json.dumps(_compute(run)))
    differences: list[str] = []
    _diff(run.results, again, "", differences)
    if (
        run.population_digest != again["population"]["digest"]
        and "population.digest" not in differences
    ):
        differences.append("population.digest")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            obj=run,
            summary=f"replay {'identical' if not differences else 'DIFFERENT'}",
            changes={"differences": differences[:20]},
        )
    return ReplayCheck(not differences, differences)
