"""Policy lab reads: runs, and their results as a reader may see them."""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import require
from vetbridge.core.exceptions import NotFoundError

from .models import PopulationKind, SimulationRun

LIGHT_FIELDS = ("population_data", "params_files", "reform_yaml")
ROW_NUMBERS = (
    "baseline_beneficiaries",
    "baseline_total_eur",
    "baseline_average_eur",
    "reform_beneficiaries",
    "reform_total_eur",
    "reform_average_eur",
    "change_eur",
)


def runs_list(*, user: User) -> QuerySet[SimulationRun]:
    """Runs are shared between the policy lab's users: they hold aggregates only."""
    require(user, Capability.POLICYLAB_RUN)
    return SimulationRun.objects.select_related("progress", "created_by").defer(*LIGHT_FIELDS)


def run_get(*, user: User, run_id: int) -> SimulationRun:
    require(user, Capability.POLICYLAB_RUN)
    run = (
        SimulationRun.objects.select_related("progress", "created_by")
        .defer("population_data")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise NotFoundError(_("No such simulation run."))
    return run


def visible_results(run: SimulationRun) -> dict[str, Any] | None:
    """The results as shown: for the registry's pensioners (real people), groups of fewer
    than VETBRIDGE_MIN_CELL_SIZE persons have their figures hidden (`suppressed`), and so
    do small counts of gainers and losers. Synthetic and anonymised uploads are shown whole."""
    if run.results is None:
        return None
    res = copy.deepcopy(run.results)
    if run.population_kind != PopulationKind.REGISTRY:
        return res
    n = settings.VETBRIDGE_MIN_CELL_SIZE

    def small(count: int | None) -> bool:
        return count is not None and 0 < count < n

    for key in ("by_band", "by_region", "by_status", "by_country"):
        for row in res.get(key, []):
            if small(row["persons"]):
                row["suppressed"] = True
                row["persons"] = None
                for field in ROW_NUMBERS:
                    row[field] = None
    if small(res["persons"]):
        res["suppressed"] = True
        for side in ("baseline", "reform"):
            for field in ("total_eur", "beneficiaries", "average_eur", "one_time_eur"):
                res[side][field] = None
        res["change_eur"] = None
    for key in ("gained", "lost", "unchanged"):
        if small(res.get(key)):
            res[key] = None
    for key in ("winners", "losers"):
        if small(res[key]["count"]):
            res[key] = {"count": None, "total_eur": None, "average_eur": None}
    res["min_cell"] = n
    return res
