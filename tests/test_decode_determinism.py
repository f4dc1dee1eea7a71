"""Issue 8, case 8: decoding does not depend on Python's per-process hash seed.

Set and dict iteration order of strings follows ``PYTHONHASHSEED``; a decoder
that let it break ties gave ``decoded`` in one run and ``partial`` in the next.
Here the same generated requests are decoded in processes with different seeds
and the outputs compared byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The issue's own example first, then a few thousand generated requests of every tier.
_SCRIPT = """
import sys
from triage.decode import Decoder
from triage.synth import generate_world

world = generate_world(months=1, leads_per_month=3000, catalog_size=5000, seed=8)
texts = ["привет, опель зафира C a14net, свеса зажигания есть?"]
texts += world.leads["request_text"].fillna("").tolist()
decoded = Decoder(world.catalog).fit().decode_many(texts)
sys.stdout.write(decoded.to_csv(index=False, lineterminator="\\n"))
"""
SEEDS = ("0", "1", "2", "3")


def _decode_under(seed: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.Popen(
        [sys.executable, "-c", _SCRIPT],
        env=env,
        cwd=Path(__file__).parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_decoding_is_identical_under_every_hash_seed() -> None:
    runs = {seed: _decode_under(seed) for seed in SEEDS}
    outputs: dict[str, bytes] = {}
    for seed, proc in runs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode("utf-8", "replace")[-2000:]
        outputs[seed] = out
    rows = outputs[SEEDS[0]].decode("utf-8").count("\n")
    assert rows > 3000  # header, the example and 3,000 generated requests
    digests = {seed: hashlib.sha256(out).hexdigest() for seed, out in outputs.items()}
    if len(set(digests.values())) > 1:
        first = outputs[SEEDS[0]].decode("utf-8").splitlines()
        for seed in SEEDS[1:]:
            other = outputs[seed].decode("utf-8").splitlines()
            diff = [
                (i, a[:160], b[:160])
                for i, (a, b) in enumerate(zip(first, other, strict=True))
                if a != b
            ]
            assert not diff, f"PYTHONHASHSEED={seed} differs on {len(diff)} rows, e.g. {diff[0]}"
