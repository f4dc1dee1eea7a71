"""triage.synth: the deterministic synthetic world of an Opel spare-parts shop.

``generate_world()`` builds a parts catalog, a CRM lead export and its ground
truth from the reference data in ``data/reference``; ``write_world()`` writes
them as ``catalog.csv``, ``leads.csv``, ``truth.csv`` and ``world.json``.
See ``docs/synthetic-world.md`` for every knob and the proportions it yields.
"""

from __future__ import annotations

from triage.synth._world import World, generate_world, write_world

__all__ = ["World", "generate_world", "write_world"]
