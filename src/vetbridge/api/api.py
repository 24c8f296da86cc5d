"""The JSON API under /api/: routers of every app, one auth, one error format."""

import vetbridge

from . import errors
from .openapi import VetbridgeAPI
from .security import AUTH

api = VetbridgeAPI(
    title="Vetbridge API",
    version=vetbridge.__version__,
    description="Registry, reparation rights, care and memorial of the France–Ukraine "
    "veterans cooperation. Authenticate with `Authorization: Bearer <token>` "
    "(tokens from your account page) or a session cookie with CSRF token. Every "
    '4xx answer has the shape {"error": {"code", "message", "fields"}}.',
    auth=AUTH,
    urls_namespace="api",
)
errors.install(api)


def _mount() -> None:
    from vetbridge.accounts.api import router as accounts_router
    from vetbridge.care.api import router as care_router
    from vetbridge.cooperation.api import router as cooperation_router
    from vetbridge.people.api import router as people_router
    from vetbridge.policylab.api import router as policylab_router
    from vetbridge.reintegration.api import referral_router
    from vetbridge.reparation.api import router as claims_router
    from vetbridge.simulator.api import router as simulator_router

    api.add_router("/", accounts_router)
    api.add_router("/", people_router)
    api.add_router("/", claims_router)
    api.add_router("/", care_router)
    api.add_router("/", referral_router)
    api.add_router("/", simulator_router)
    api.add_router("/", policylab_router)
    api.add_router("/", cooperation_router)


_mount()
