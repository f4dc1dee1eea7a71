"""Test-wide settings: one OpenMP thread per test process.

pytest-xdist runs two test processes on a two-core machine; each scikit-learn
gradient boosting fit would otherwise start one OpenMP thread per core, and
the busy-waiting threads of the two processes slow each other down by an
order of magnitude.  Set before anything imports scikit-learn.

Property tests (hypothesis) are derandomised: every run, here and in CI, tries
the same examples, so a red build is reproducible.  To search for new failing
examples, run ``HYPOTHESIS_PROFILE=explore make test`` (new random examples each run);
add what it finds as an ``@example`` to the test.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
