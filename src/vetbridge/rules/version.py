"""Version of the rules by legal effect (see CHANGELOG.md beside this file).

Patch: a calculation fix; minor: a new right or parameter; major: a removed right or a
changed input. Every decision stores this version and the parameter digest.
"""

RULES_VERSION = "2.0.0"
