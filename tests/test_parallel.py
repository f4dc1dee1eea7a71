"""Worker processes: really parallel, ordered results, errors and deaths reported."""

from __future__ import annotations

import os
import time

import pytest

from triage._parallel import can_fork, run_chunks
from triage.errors import DataError

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs the fork start method")


class _Work:
    def pid(self, chunk: list[int]) -> list[int]:
        time.sleep(0.2)  # long enough that one worker cannot take every chunk alone
        return [os.getpid()] * len(chunk)

    def square(self, chunk: list[int]) -> list[int]:
        return [x * x for x in chunk]

    def fail(self, chunk: list[int]) -> list[int]:
        if 3 in chunk:
            raise DataError("leads.csv: row 3, field x: bad value")
        return chunk

    def die(self, chunk: list[int]) -> list[int]:
        if 3 in chunk:
            os._exit(9)
        return chunk


def test_chunks_run_in_other_processes() -> None:
    chunks = [[i] * 50 for i in range(8)]
    pids = {p for part in run_chunks(_Work(), "pid", chunks, workers=2) for p in part}
    assert os.getpid() not in pids
    assert len(pids) == 2


def test_results_keep_chunk_order_and_equal_serial() -> None:
    chunks = [list(range(i, i + 5)) for i in range(0, 100, 5)]
    done: list[int] = []
    parallel = run_chunks(_Work(), "square", chunks, workers=2, on_result=done.append)
    assert parallel == run_chunks(_Work(), "square", chunks, workers=1)
    assert sum(done) == 100


def test_a_worker_error_keeps_its_type() -> None:
    with pytest.raises(DataError, match="row 3, field x"):
        run_chunks(_Work(), "fail", [[1, 2], [3, 4], [5]], workers=2)


def test_a_dead_worker_is_reported_not_waited_for() -> None:
    with pytest.raises(RuntimeError, match="worker process died"):
        run_chunks(_Work(), "die", [[1, 2], [3, 4], [5]], workers=2)


def test_bad_worker_count() -> None:
    with pytest.raises(ValueError, match="positive"):
        run_chunks(_Work(), "square", [[1]], workers=0)
