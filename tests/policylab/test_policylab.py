"""Policy lab: runs as background tasks (immediate backend in tests), stored, replayable;
the same through the page and the API; the registry's pensioners through reparation's
published selector."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from vetbridge.core.models import JobProgress, JobStatus
from vetbridge.core.progress import progress_create, progress_tracking
from vetbridge.policylab import services
from vetbridge.policylab.models import SimulationRun
from vetbridge.rules.parameters import default_sets
from vetbridge.rules.reform import example_reforms, load_reform
from vetbridge.rules.simulate import read_population, simulate

DATE = dt.date(2026, 3, 1)
CSV = (
    "person_id,rate,cause,context,region,status\n"
    "a,20,injury,war,FR-IDF,fr_pensioner\n"
    "b,5,injury,war,FR-IDF,fr_pensioner\n"
    "c,40,disease,peace,FR-BRE,fr_pensioner\n"
    "c,30,injury,war,FR-BRE,fr_pensioner\n"
    "d,12,injury,opex,FR-BRE,fr_pensioner\n"
)

pytestmark = pytest.mark.django_db


def _client(user, language: str = "en") -> Client:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    c = Client()
    c.force_login(user)
    return c


def _req(**kw) -> services.RunRequest:
    return services.RunRequest(
        **{
            "population_kind": "synthetic",
            "date": DATE,
            "reform_key": "point_value_plus_5",
            "synthetic_size": 800,
            "synthetic_seed": 5,
            **kw,
        }
    )


def test_run_is_a_task_with_progress_and_stored_results(world):
    analyst = world["users"]["analyst"]
    run = services.run_create(actor=analyst, req=_req())
    assert run.progress.status == JobStatus.DONE and run.progress.percent == 100
    assert run.progress.task_id
    assert run.progress.subject == f"policylab.run:{run.pk}"
    assert run.results["reform"]["total_eur"] > run.results["baseline"]["total_eur"]
    assert run.rules_version and run.reform_digest
    assert set(run.params_files) == {"fr", "ua", "sim"}
    assert run.baseline_params_digest != run.reform_params_digest
    assert run.population_digest and run.persons == 800
    from vetbridge.accounts.models import AuditLog

    assert AuditLog.objects.filter(
        object_type="policylab.simulationrun", object_id=str(run.pk), action="create"
    ).exists()


def test_replay_is_identical_even_after_the_law_files_change(world, monkeypatch):
    analyst = world["users"]["analyst"]
    run = services.run_create(
        actor=analyst,
        req=_req(population_kind="upload", upload=CSV.encode(), upload_name="cases.csv"),
    )
    assert services.run_replay(actor=analyst, run_id=run.pk).identical
    # Tamper with the stored results: the replay shows where they differ.
    SimulationRun.objects.filter(pk=run.pk).update(
        results={**run.results, "gained": run.results["gained"] + 1}
    )
    check = services.run_replay(actor=analyst, run_id=run.pk)
    assert not check.identical and "gained" in check.differences


def test_upload_results_equal_the_pure_simulation(world):
    run = services.run_create(
        actor=world["users"]["analyst"],
        req=_req(population_kind="upload", upload=CSV.encode(), upload_name="cases.csv"),
    )
    pure = simulate(
        read_population(CSV.encode()),
        DATE,
        load_reform(example_reforms()["point_value_plus_5"]),
        base=default_sets(),
    )
    assert run.results["baseline"] == json.loads(json.dumps(pure["baseline"]))
    assert run.results["reform"]["beneficiaries"] == 3
    assert {r["key"] for r in run.results["by_region"]} == {"FR-IDF", "FR-BRE"}


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        (
            {
                "reform_key": "",
                "reform_yaml": "name: x\nparameters:\n  fr.nope: "
                "{values: {2026-01-01: 1}, rationale: r}\n",
            },
            "reform_yaml",
        ),
        ({"reform_key": "nope"}, "reform_key"),
        ({"date": dt.date(1990, 1, 1)}, "date"),
        ({"synthetic_size": 0}, "synthetic_size"),
        ({"population_kind": "upload"}, "upload"),
        (
            {
                "population_kind": "upload",
                "upload": b"person_id,rate\n1,2\n",
                "upload_name": "x.csv",
            },
            "upload",
        ),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(world, kw, field):
    from vetbridge.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as info:
        services.run_create(actor=world["users"]["analyst"], req=_req(**kw))
    assert field in info.value.fields
    assert not SimulationRun.objects.exists() and not JobProgress.objects.exists()


def test_only_policylab_roles_may_run(world):
    from vetbridge.core.exceptions import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        services.run_create(actor=world["users"]["case_worker"], req=_req())


def test_registry_population_through_the_reparation_selector(world, flow):
    from vetbridge.reparation.selectors import pensions_in_payment

    claim = flow.granted()
    rights = pensions_in_payment(on=claim.decisions.get().computed_on)
    assert len(rights) == 1 and rights[0].country == "fr" and rights[0].region == "UA-46"
    assert [r for r, _c, _x in rights[0].infirmities] == ["60.00", "12.50"] or [
        Decimal(r) for r, _c, _x in rights[0].infirmities
    ] == [Decimal(60), Decimal("12.5")]
    analyst = world["users"]["analyst"]
    run = services.run_create(
        actor=analyst, req=_req(population_kind="registry", date=claim.decisions.get().computed_on)
    )
    assert run.results["persons"] == 1
    # The decision's own amount is what the baseline counts.
    assert Decimal(str(run.results["baseline"]["total_eur"])) == claim.decisions.get().amount
    assert services.run_replay(actor=analyst, run_id=run.pk).identical
    # One person: below the small-cell threshold, the page and API hide the figures.
    body = _client(analyst).get(f"/api/policylab/runs/{run.pk}").json()
    assert body["results"]["suppressed"] and body["results"]["baseline"]["total_eur"] is None


def test_registry_without_pensions_fails_visibly(world):
    """The task fails (the request that enqueued it does not): the run shows the error."""
    analyst = world["users"]["analyst"]
    analyst.language = "en"
    analyst.save(update_fields=["language"])
    run = services.run_create(actor=analyst, req=_req(population_kind="registry"))
    run.progress.refresh_from_db()
    assert run.progress.status == JobStatus.FAILED
    assert "No pension" in run.progress.error
    assert run.results is None
    html = _client(analyst).get(reverse("policylab:run", args=[run.pk])).content.decode()
    assert "No pension is in payment" in html


def test_progress_tracking_records_steps_and_failures(world):
    p = progress_create(kind="test.job", actor=world["users"]["admin"])
    with progress_tracking(p.pk) as report:
        report(40, "halfway")
        p.refresh_from_db()
        assert (p.status, p.percent, p.step) == (JobStatus.RUNNING, 40, "halfway")
    p.refresh_from_db()
    assert p.status == JobStatus.DONE and p.finished_at
    q = progress_create(kind="test.job")
    with pytest.raises(ZeroDivisionError), progress_tracking(q.pk):
        1 / 0  # noqa: B018
    q.refresh_from_db()
    assert q.status == JobStatus.FAILED and "ZeroDivisionError" in q.error


def test_page_runs_a_reform_and_shows_chart_with_table(world):
    c = _client(world["users"]["analyst"])
    page = c.get(reverse("policylab:lab"))
    assert page.status_code == 200 and b"Policy lab" in page.content
    r = c.post(
        reverse("policylab:lab"),
        {
            "population_kind": "synthetic",
            "synthetic_size": "500",
            "synthetic_seed": "1",
            "date": "2026-03-01",
            "reform_key": "point_value_plus_5",
        },
    )
    assert r.status_code == 302
    run = SimulationRun.objects.get()
    detail = c.get(r["Location"])
    html = detail.content.decode()
    assert detail.status_code == 200
    assert 'id="figure-by_band"' in html and "<svg" in html
    assert "Annual cost by rate band" in html and "10–19" in html
    progress = c.get(reverse("policylab:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"
    replay = c.post(reverse("policylab:run_replay", args=[run.pk]), follow=True)
    assert "identical" in replay.content.decode()


def test_page_shows_progress_while_queued(world):
    """A run whose task has not run yet: the page polls the progress partial with htmx."""
    analyst = world["users"]["analyst"]
    run = services.run_create(actor=analyst, req=_req())
    SimulationRun.objects.filter(pk=run.pk).update(results=None)
    JobProgress.objects.filter(pk=run.progress_id).update(
        status=JobStatus.RUNNING, percent=40, step="baseline"
    )
    html = _client(analyst).get(reverse("policylab:run", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html
    partial = _client(analyst).get(reverse("policylab:run_progress", args=[run.pk]))
    assert "HX-Refresh" not in partial


def test_page_form_errors_in_the_users_language(world):
    c = _client(world["users"]["analyst"], "fr")
    r = c.post(
        reverse("policylab:lab"),
        {
            "population_kind": "synthetic",
            "synthetic_size": "10",
            "date": "2026-03-01",
            "reform_yaml": "name: x\nparameters:\n  fr.nope: 1\n",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "fr.nope" in html and "Laboratoire des politiques" in html
    assert not SimulationRun.objects.exists()


def test_api_contract(world):
    c = _client(world["users"]["analyst"])
    reforms = c.get("/api/policylab/reforms").json()
    assert {"point_value_plus_5", "injury_threshold_15", "french_grid_for_ukraine"} <= {
        r["key"] for r in reforms
    }
    r = c.post(
        "/api/policylab/runs",
        data=json.dumps(
            {
                "population": "upload",
                "date": "2026-03-01",
                "reform": "injury_threshold_15",
                "upload_base64": base64.b64encode(CSV.encode()).decode(),
                "upload_name": "c.csv",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 202, r.content
    run = r.json()
    assert run["progress"]["status"] == "done"
    assert run["results"]["lost"] == 1  # the 12 % wound falls under the 15 % threshold
    assert c.get(f"/api/policylab/runs/{run['id']}").json()["results"] == run["results"]
    assert c.get("/api/policylab/runs").json()[0]["id"] == run["id"]
    assert c.post(f"/api/policylab/runs/{run['id']}/replay").json() == {
        "identical": True,
        "differences": [],
    }
    bad = c.post(
        "/api/policylab/runs",
        data=json.dumps(
            {
                "population": "synthetic",
                "date": "2026-03-01",
                "reform_yaml": "name: x\nparameters:\n  ua.nope: {values: {2026-01-01: 1}, "
                "rationale: r}\n",
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "reform_yaml" in bad.json()["error"]["fields"]
    assert "ua.nope" in bad.json()["error"]["fields"]["reform_yaml"][0]
    assert c.get("/api/policylab/runs/999999").status_code == 404


def test_replay_command(world, capsys):
    from vetbridge.cli import main

    run = services.run_create(actor=world["users"]["analyst"], req=_req())
    assert main(["policylab", "replay", str(run.pk), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "run": run.pk,
        "identical": True,
        "differences": [],
    }
    SimulationRun.objects.filter(pk=run.pk).update(
        results={**run.results, "lost": run.results["lost"] + 3}
    )
    assert main(["policylab", "replay", str(run.pk)]) == 1
    assert "DIFFERENT" in capsys.readouterr().out
    assert main(["policylab", "replay", "999999"]) == 2


def test_registry_ukrainian_right_and_the_french_grid(world, flow):
    """A Ukrainian disability assistance granted (group I, no rates): in the population with
    its group's lowest rate (an assumption of the simulation), paid the annual payment of
    group I in the baseline and the French PMI share under the French-grid scenario."""
    from vetbridge.reparation.selectors import pensions_in_payment

    fr_claim = flow.granted()
    ua_claim = flow.file(
        "ua_disability",
        actor="case_worker",
        disability_group=1,
        ua_cause="duty",
        group_set_at="2025-03-01",
    )
    flow.step(ua_claim, "complete_file", "pension_officer")
    flow.decide(ua_claim)
    on = fr_claim.decisions.get().computed_on
    rights = pensions_in_payment(on=on)
    assert sorted((r.country, r.disability_group, len(r.infirmities)) for r in rights) == [
        ("fr", 0, 2),
        ("ua", 1, 0),
    ]
    run = services.run_create(
        actor=world["users"]["admin"],
        req=_req(population_kind="registry", date=on, reform_key="french_grid_for_ukraine"),
    )
    res = run.results
    assert res["persons"] == 2
    ua = next(r for r in res["by_country"] if r["key"] == "ua")
    assert ua["baseline_beneficiaries"] == 1 and ua["reform_beneficiaries"] == 1
    assert ua["reform_total_eur"] != ua["baseline_total_eur"]
    assert res["baseline"]["one_time_eur"] > 0
    assert {r["key"] for r in res["by_status"]} == {"fr_pension", "ua_disability"}
