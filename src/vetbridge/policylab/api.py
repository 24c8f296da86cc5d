"""JSON API of the policy lab: the same services, selectors and capability as the pages."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import require
from vetbridge.api.security import api_user
from vetbridge.core.exceptions import field_error
from vetbridge.rules.reform import example_reforms, load_reform

from . import selectors, services
from .models import SimulationRun

router = Router(tags=["policy lab"])


class ReformOut(Schema):
    key: str
    name: str
    description: str
    digest: str
    yaml: str


class RunIn(Schema):
    population: Literal["registry", "synthetic", "upload"] = Field(
        description="the registry's pensions in payment, a seeded synthetic population, or "
        "an uploaded file (`upload_base64`)"
    )
    date: dt.date = Field(description="the law in force on this date")
    reform: str = Field("", description="key of a shipped reform (see /policylab/reforms)")
    reform_yaml: str = Field(
        "", max_length=100_000, description="your own reform in YAML (wins over `reform`)"
    )
    synthetic_size: int = Field(10_000, ge=1, le=services.MAX_SYNTHETIC)
    synthetic_seed: int = Field(2026, ge=0, le=2**31)
    upload_base64: str = Field("", description="CSV or Parquet file, base64-encoded")
    upload_name: str = Field("", max_length=200, description="file name (.csv or .parquet)")
    title: str = Field("", max_length=200)

    model_config = {"extra": "forbid"}


class ProgressOut(Schema):
    status: str
    percent: int
    step: str
    error: str


class RunOut(Schema):
    id: int
    title: str
    created_at: dt.datetime
    created_by: str
    population_kind: str
    population_description: str
    population_digest: str
    date: dt.date
    reform_name: str
    reform_digest: str
    rules_version: str
    baseline_params_digest: str
    reform_params_digest: str
    progress: ProgressOut | None
    results: dict[str, Any] | None = Field(
        description="null until done; small cells hidden for the registry"
    )


class ReplayOut(Schema):
    identical: bool
    differences: list[str]


def _out(run: SimulationRun, with_results: bool = True) -> dict[str, Any]:
    p = run.progress
    return {
        "id": run.pk,
        "title": run.title,
        "created_at": run.created_at,
        "created_by": run.created_by.get_username() if run.created_by else "",
        "population_kind": run.population_kind,
        "population_description": run.population_description,
        "population_digest": run.population_digest,
        "date": run.date,
        "reform_name": run.reform_name,
        "reform_digest": run.reform_digest,
        "rules_version": run.rules_version,
        "baseline_params_digest": run.baseline_params_digest,
        "reform_params_digest": run.reform_params_digest,
        "progress": None
        if p is None
        else {"status": p.status, "percent": p.percent, "step": p.step, "error": p.error},
        "results": selectors.visible_results(run) if with_results else None,
    }


@router.get("/policylab/reforms", response=list[ReformOut], summary="The shipped reforms")
def list_reforms(request: HttpRequest) -> list[dict[str, Any]]:
    require(api_user(request), Capability.POLICYLAB_RUN)
    out = []
    for key, path in example_reforms().items():
        reform = load_reform(path)
        out.append(
            {
                "key": key,
                "name": reform.name,
                "description": reform.description,
                "digest": reform.digest,
                "yaml": reform.text,
            }
        )
    return out


@router.get("/policylab/runs", response=list[RunOut], summary="Simulation runs (newest first)")
def list_runs(request: HttpRequest) -> list[dict[str, Any]]:
    runs = selectors.runs_list(user=api_user(request))[:100]
    return [_out(run, with_results=False) for run in runs]


@router.post(
    "/policylab/runs",
    response={202: RunOut},
    summary="Start a simulation (a background task; poll the run for its results)",
)
def create_run(request: HttpRequest, payload: RunIn) -> Status[Any]:
    user = api_user(request)
    upload = None
    if payload.upload_base64:
        try:
            upload = base64.b64decode(payload.upload_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise field_error("upload_base64", _("Not valid base64.")) from exc
    run = services.run_create(
        actor=user,
        req=services.RunRequest(
            population_kind=payload.population,
            date=payload.date,
            reform_key=payload.reform,
            reform_yaml=payload.reform_yaml,
            synthetic_size=payload.synthetic_size,
            synthetic_seed=payload.synthetic_seed,
            upload=upload,
            upload_name=payload.upload_name,
            title=payload.title,
        ),
    )
    run = selectors.run_get(user=user, run_id=run.pk)
    return Status(202, _out(run))


@router.get("/policylab/runs/{run_id}", response=RunOut, summary="One run, with its results")
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return _out(selectors.run_get(user=api_user(request), run_id=run_id))


@router.post(
    "/policylab/runs/{run_id}/replay",
    response=ReplayOut,
    summary="Recompute a run from what it stored and compare",
)
def replay_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    check = services.run_replay(actor=api_user(request), run_id=run_id)
    return {"identical": check.identical, "differences": check.differences}
