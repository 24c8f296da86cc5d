from __future__ import annotations

import pytest


@pytest.fixture
def officers(make_user):
    """The French (French interface) and the Ukrainian (Ukrainian interface) officers."""
    return {
        "fr": make_user("cooperation_officer", "coop.fr", language="fr", side="fr"),
        "ua": make_user("cooperation_officer", "coop.ua", language="uk", side="ua"),
    }


@pytest.fixture
def axes(db):
    from vetbridge.cooperation.models import Axis

    return {a.code: a for a in Axis.objects.all()}


@pytest.fixture
def make_action(officers, axes):
    from vetbridge.cooperation import services

    def make(title=None, axis="rehabilitation", **kw):
        return services.action_create(
            actor=officers["fr"],
            data=services.ActionInput(
                axis_id=axes[axis].pk, title=title or {"fr": "Sport adapté"}, **kw
            ),
        )

    return make
