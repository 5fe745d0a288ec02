import os

import pytest
from hypothesis import settings

# The shared oracles' asserts report like a test's own (see tests/oracles.py).
pytest.register_assert_rewrite("oracles")

# CI runs a fixed, moderate number of examples; locally `HYPOTHESIS_PROFILE=dev` runs more.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
