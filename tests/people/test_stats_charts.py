"""The registry statistics page draws the registry by lifecycle, current status and region with
the table beside each chart, in uk and fr: region names (not codes), the database's counts,
small cells hidden from the drawing and said so in the table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from tests.core.test_charts import assert_inside
from tests.reparation.test_stats_charts import _figure, _svg, _table
from vetbridge.core import charts


@pytest.fixture
def population(db, regions):
    """Lviv oblast 20 alive, Kyiv 7 missing, Kharkiv 2 fallen; 12 combatants, 6 with a war
    disability of group 2, 1 of group 1 (small), all currently valid."""
    from vetbridge.people.models import Person, PersonStatus

    rows = [("alive", "UA-46")] * 20 + [("missing", "UA-30")] * 7 + [("fallen", "UA-63")] * 2
    people = Person.objects.bulk_create(
        [Person(lifecycle=life, region=regions[code]) for life, code in rows]
    )
    since = dt.date(2024, 1, 1)
    PersonStatus.objects.bulk_create(
        [PersonStatus(person=p, kind="ua_combatant", valid_from=since) for p in people[:12]]
        + [
            PersonStatus(person=p, kind="ua_war_disability", disability_group=2, valid_from=since)
            for p in people[12:18]
        ]
        + [
            PersonStatus(
                person=people[18], kind="ua_war_disability", disability_group=1, valid_from=since
            )
        ]
    )
    return people


def _page(make_user, language: str) -> str:
    from django.test import Client

    user = make_user("analyst")
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get("/people/stats/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["uk", "fr"])
def test_registry_by_region_names_the_regions(population, regions, make_user, language):
    page = _page(make_user, language)
    figure = _figure(page, "people-region")
    table = _table(figure)
    with translation.override(language):
        lviv, kyiv, kharkiv = (regions[c].localized_name() for c in ("UA-46", "UA-30", "UA-63"))
        hidden = charts.hidden_text(5)
    assert "UA-46" not in figure and lviv != "UA-46"
    assert table[lviv] == "20"
    # Kharkiv (2) is small; Kyiv (7) is hidden with it so that neither is the total minus 20.
    assert table[kharkiv] == table[kyiv] == hidden
    drawn = " | ".join(str(m["label"]) for m in assert_inside(_svg(figure)))
    assert lviv in drawn and kharkiv not in drawn and kyiv not in drawn


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["uk", "fr"])
def test_registry_by_status_and_lifecycle(population, make_user, language):
    from vetbridge.people.models import Lifecycle, StatusKind

    page = _page(make_user, language)
    status = _table(_figure(page, "people-status"))
    lifecycle = _table(_figure(page, "people-lifecycle"))
    with translation.override(language):
        combatant = str(StatusKind.UA_COMBATANT.label)
        disability = str(StatusKind.UA_WAR_DISABILITY.label)
        group2 = _group(disability, 2)
        hidden = charts.hidden_text(5)
        alive = str(Lifecycle.ALIVE.label)
    assert status[combatant] == "12"
    # Group 1 (1 person) is small; group 2 (6) is hidden with it.
    assert status[_group_key(status, disability, 1)] == hidden
    assert status[group2] == hidden
    assert lifecycle[alive] == "20"
    svg = _svg(_figure(page, "people-status"))
    drawn = " | ".join(str(m["label"]) for m in assert_inside(svg))
    assert combatant in drawn and disability not in drawn


def _group(label: str, group: int) -> str:
    from vetbridge.people.stats_charts import status_label

    return status_label({"label": label, "disability_group": group})


def _group_key(table: dict[str, str], label: str, group: int) -> str:
    key = _group(label, group)
    assert key in table, (key, list(table))
    return key
