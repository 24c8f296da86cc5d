"""Environment access for settings (django-environ).

Settings read the environment only through this module, so that every variable the
platform understands is listed in `.env.example`.
"""

from pathlib import Path

import environ

SRC_DIR = Path(__file__).resolve().parent.parent  # src/vetbridge
BASE_DIR = SRC_DIR.parent.parent  # repository root

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.exists():
    environ.Env.read_env(str(_env_file))
