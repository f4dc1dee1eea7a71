"""Test-wide settings: one OpenMP thread per test process.

pytest-xdist runs two test processes on a two-core machine; each scikit-learn
gradient boosting fit would otherwise start one OpenMP thread per core, and
the busy-waiting threads of the two processes slow each other down by an
order of magnitude.  Set before anything imports scikit-learn.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
