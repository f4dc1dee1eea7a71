"""triage: settle the marketing-vs-sales fight over target leads with facts.

The public API is re-exported here; each object lives in a private module of
its own package (``triage.decode``, ``triage.charter``, ``triage.synth``).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
