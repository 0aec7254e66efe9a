"""Hypothesis settings of the property tests (issue 6, item 4: bad input).

The "ci" profile runs 100 examples per target (Hypothesis's default), derandomized: every
CI run tries the same inputs, so a failure is reproducible and a green run stays green. It
ran 200 until the suite passed ten minutes on two cores (issue 19's session): most targets
post a form through the whole middleware stack, about 0.1 s an example. For a longer,
random local search:
``HYPOTHESIS_PROFILE=deep bin/test tests/property``.

The helpers the property tests share are in tests/property/helpers.py.
"""

import os

from hypothesis import HealthCheck, Phase, settings

_COMMON = dict(
    deadline=None,
    database=None,  # no example database on disk: CI starts clean every time
    # No "explain" phase: it re-runs a failing example hundreds of times (minutes here).
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("ci", max_examples=100, derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=2000, derandomize=False, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
