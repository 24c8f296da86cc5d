from tests.reparation.conftest import flow  # noqa: F401 (the claim workflow helper)
