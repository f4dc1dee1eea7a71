"""Run one object's method over chunks in worker processes, without global state.

The object (a fitted Decoder, a prepared Scorer) is handed to each worker as a
process argument.  With the ``fork`` start method that costs nothing: the
worker inherits the parent's memory, and only the chunks and their results
travel through queues.  Where ``fork`` is missing (Windows, macOS defaults),
the work runs in this process, serially, with the same results.

Results come back in chunk order whatever order the workers finish in, so the
output never depends on scheduling.  A worker that raises passes the error
back and the call raises it (the same exception type when it round-trips
through pickle); a worker that dies (killed, out of memory) makes the call
raise :class:`RuntimeError` instead of hanging.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import queue
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["can_fork", "run_chunks", "run_in_child"]

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """Whether worker processes can inherit the parent's memory here."""
    return "fork" in mp.get_all_start_methods()


def _worker(owner: Any, method: str, tasks: Any, results: Any) -> None:
    # One thread per worker process: N processes x N OpenMP threads on N cores
    # spin-wait against each other (gradient boosting, SHAP) and run many times slower.
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    func = getattr(owner, method)
    while True:
        task = tasks.get()
        if task is None:
            return
        index, chunk = task
        try:
            results.put((index, func(chunk), None))
        except Exception as exc:  # sent back to the parent and raised there
            results.put((index, None, _portable(exc)))


def _portable(exc: Exception) -> Exception:
    """The exception itself when it pickles (a DataError stays a DataError), else its text."""
    try:
        # Our own object, round-tripped to see that the queue can carry it back.
        pickle.loads(pickle.dumps(exc))  # noqa: S301
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    return exc


def run_chunks(
    owner: Any,
    method: str,
    chunks: Sequence[T],
    *,
    workers: int = 1,
    on_result: Callable[[int], None] | None = None,
) -> list[Any]:
    """``[getattr(owner, method)(chunk) for chunk in chunks]``, in up to ``workers`` processes.

    Parameters
    ----------
    owner : object
        Holds the state the method needs; inherited by the workers, never pickled.
    method : str
        Name of the method to call with each chunk.  Chunks and results must pickle.
    chunks : sequence
        The pieces of work.
    workers : int
        Processes to use; 1 (or one chunk, or no ``fork``) runs in this process.
    on_result : callable, optional
        Called with the number of items of each finished chunk (for progress bars).

    Returns
    -------
    list
        One result per chunk, in chunk order.
    """
    if workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers}")
    func = getattr(owner, method)
    if workers == 1 or len(chunks) <= 1 or not can_fork():
        out = []
        for chunk in chunks:
            out.append(func(chunk))
            if on_result is not None:
                on_result(len(chunk))  # type: ignore[arg-type]
        return out
    ctx = mp.get_context("fork")
    tasks = ctx.Queue()
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(owner, method, tasks, results), daemon=True)
        for _ in range(min(workers, len(chunks)))
    ]
    for p in procs:
        p.start()
    try:
        for item in enumerate(chunks):
            tasks.put(item)
        for _ in procs:
            tasks.put(None)
        return _collect(chunks, procs, results, on_result)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()


def _collect(
    chunks: Sequence[Any],
    procs: list[Any],
    results: Any,
    on_result: Callable[[int], None] | None,
) -> list[Any]:
    """Gather one result per chunk, in order; raise on a worker's error or death."""
    out: list[Any] = [None] * len(chunks)
    pending = len(chunks)
    while pending:
        try:
            index, value, error = results.get(timeout=1.0)
        except queue.Empty:
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(
                    f"a worker process died (exit code {dead[0].exitcode}); "
                    "try fewer workers or smaller chunks"
                ) from None
            continue
        if error is not None:
            raise error
        out[index] = value
        pending -= 1
        if on_result is not None:
            on_result(len(chunks[index]))
    return out


def run_in_child(owner: Any, method: str, argument: Any) -> Any:
    """``getattr(owner, method)(argument)`` in one forked process, for its memory's sake.

    A large, short-lived computation (the pre-pass over every lead of a big
    file) leaves the allocator's arenas grown in the process that ran it; run
    in a child, only its result comes back.  Without ``fork`` it runs here.
    """
    if not can_fork():
        return getattr(owner, method)(argument)
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    proc = ctx.Process(target=_one, args=(owner, method, argument, results), daemon=True)
    proc.start()
    try:
        return _collect([argument], [proc], results, None)[0]
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()


def _one(owner: Any, method: str, argument: Any, results: Any) -> None:
    try:
        results.put((0, getattr(owner, method)(argument), None))
    except Exception as exc:
        results.put((0, None, _portable(exc)))
