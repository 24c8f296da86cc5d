"""The claim state machine: who may move a claim from one state to another, and when.

Illegal moves are refused with a reason the user can read; every legal move is written as a
`ClaimEvent` (the claimant's history) and notified.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vetbridge.accounts.roles import Capability

from .kinds import KINDS
from .models import ClaimState as S


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    capability: Capability
    label: Promise
    problem: bool = False  # the claimant must act
    staff_only: bool = False  # never the claimant's own account


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "start_assessment",
            frozenset({S.SUBMITTED}),
            S.IN_ASSESSMENT,
            Capability.CLAIMS_ASSESS,
            _("Start the medical assessment"),
        ),
        Transition(
            "request_information",
            frozenset({S.SUBMITTED, S.IN_ASSESSMENT, S.READY_FOR_DECISION}),
            S.NEEDS_INFORMATION,
            Capability.CLAIMS_VIEW,
            _("Ask the claimant for information"),
            problem=True,
            staff_only=True,
        ),
        Transition(
            "provide_information",
            frozenset({S.NEEDS_INFORMATION}),
            S.SUBMITTED,
            Capability.CLAIMS_FILE,
            _("The information has been provided"),
        ),
        Transition(
            "complete_assessment",
            frozenset({S.IN_ASSESSMENT}),
            S.READY_FOR_DECISION,
            Capability.CLAIMS_ASSESS,
            _("Close the assessment: ready for decision"),
        ),
        Transition(
            "complete_file",
            frozenset({S.SUBMITTED}),
            S.READY_FOR_DECISION,
            Capability.CLAIMS_DECIDE,
            _("The file is complete: ready for decision"),
        ),
        Transition(
            "send_back",
            frozenset({S.READY_FOR_DECISION}),
            S.IN_ASSESSMENT,
            Capability.CLAIMS_DECIDE,
            _("Send back to the medical assessor"),
        ),
        Transition(
            "grant",
            frozenset({S.READY_FOR_DECISION}),
            S.GRANTED,
            Capability.CLAIMS_DECIDE,
            _("Grant"),
        ),
        Transition(
            "reject",
            frozenset({S.READY_FOR_DECISION}),
            S.REJECTED,
            Capability.CLAIMS_DECIDE,
            _("Reject"),
        ),
        Transition(
            "appeal",
            frozenset({S.GRANTED, S.REJECTED}),
            S.APPEALED,
            Capability.CLAIMS_FILE,
            _("Appeal the decision"),
        ),
        Transition(
            "decide_appeal",
            frozenset({S.APPEALED}),
            S.APPEAL_DECIDED,
            Capability.CLAIMS_DECIDE,
            _("Decide on the appeal"),
        ),
        Transition(
            "withdraw",
            frozenset({S.SUBMITTED, S.NEEDS_INFORMATION, S.IN_ASSESSMENT, S.READY_FOR_DECISION}),
            S.WITHDRAWN,
            Capability.CLAIMS_FILE,
            _("Withdraw the claim"),
        ),
    ]
}

# What the claimant reads under each state: where the claim is and what comes next.
NEXT_STEP = {
    S.SUBMITTED: _(
        "Your claim has been received. A medical assessor or an officer will "
        "take it up; you do not need to do anything."
    ),
    S.NEEDS_INFORMATION: _(
        "Something is missing. Read the request below, add the document "
        "or answer, then press “The information has been provided”."
    ),
    S.IN_ASSESSMENT: _(
        "A medical assessor is describing your infirmities. You may be invited to an examination."
    ),
    S.READY_FOR_DECISION: _("The file is complete. A pension officer will decide."),
    S.GRANTED: _(
        "Your right is granted. Download the letter: it explains the computation and how to appeal."
    ),
    S.REJECTED: _(
        "Your claim is rejected. The letter gives the reasons and how to appeal "
        "before the deadline."
    ),
    S.APPEALED: _("Your appeal has been received and will be examined."),
    S.APPEAL_DECIDED: _(
        "Your appeal has been decided. The letter gives the outcome and the "
        "next possible step (court)."
    ),
    S.WITHDRAWN: _("You withdrew this claim. You can file a new one at any time."),
}


def kind_refusal(name: str, kind: str) -> Promise | None:
    """Why a step does not apply to this kind of claim, or None when it does."""
    assessed = KINDS[kind].assessed
    if name == "start_assessment" and not assessed:
        return _(
            "This kind of claim has no medical assessment here: the group is set by the "
            "expert team."
        )
    if name == "complete_file" and assessed:
        return _("This claim needs a medical assessment first.")
    return None


# Who acts on a claim in each state (the staff a claim may be assigned to), and after how
# many days in that state it counts as stalled (an internal service target, not the law).
# Submitted claims of an assessed kind go to the assessor, others to the officer; the case
# worker follows every open claim (requests for information).
def acting_roles(state: str, kind: str) -> frozenset[str]:
    from vetbridge.accounts.roles import Role

    if state == S.SUBMITTED:
        lead = Role.MEDICAL_ASSESSOR if KINDS[kind].assessed else Role.PENSION_OFFICER
        return frozenset({Role.CASE_WORKER, lead, Role.ADMIN})
    roles = {
        S.NEEDS_INFORMATION: {Role.CASE_WORKER},
        S.IN_ASSESSMENT: {Role.MEDICAL_ASSESSOR},
        S.READY_FOR_DECISION: {Role.PENSION_OFFICER},
        S.GRANTED: {Role.PENSION_OFFICER},
        S.REJECTED: {Role.PENSION_OFFICER},
        S.APPEALED: {Role.PENSION_OFFICER},
        S.APPEAL_DECIDED: {Role.PENSION_OFFICER},
    }.get(S(state), set())
    return frozenset(roles | {Role.ADMIN}) if roles else frozenset()


STALLED_AFTER_DAYS = {
    S.SUBMITTED: 30,
    S.NEEDS_INFORMATION: 60,
    S.IN_ASSESSMENT: 90,
    S.READY_FOR_DECISION: 30,
}
