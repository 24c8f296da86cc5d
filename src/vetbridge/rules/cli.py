from __future__ import annotations

import argparse
from typing import Any


def add_rules_parser(sub: Any) -> None:
    rules = sub.add_parser("rules", help="reparation rights calculators (JSON in, JSON out)")
    rules.add_subparsers(dest="rules_command", required=True)
