"""The project's own apps, in the order Django installs them.

Plain data without Django, so that both the settings (`INSTALLED_APPS`) and the command line
(which registers each app's `cli.py` without setting Django up) read one list.
"""

PROJECT_APPS: tuple[str, ...] = (
    "vetbridge.core",
    "vetbridge.accounts",
    "vetbridge.people",
    "vetbridge.reparation",
    "vetbridge.memorial",
    "vetbridge.care",
    "vetbridge.reintegration",
    "vetbridge.simulator",
    "vetbridge.policylab",
    "vetbridge.cooperation",
    "vetbridge.api",
)
