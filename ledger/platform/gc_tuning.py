"""The garbage collector's settings for a serving process.

A staff page at a million postings allocates tens of thousands of objects (rows,
options, formatted cells). With CPython's default thresholds (700, 10, 10) that
starts a full collection every few requests, and a full collection walks every
object in the process, the app's own modules, templates and mappers included:
50 to 80 ms each, which was the 95th percentile of most staff pages (#17).

Once the app is built, what exists then lives as long as the process, so it is
frozen out of the collector's sight (``gc.freeze``), and the youngest generation
is collected every 20,000 allocations instead of 700. Cycles are still found;
a request's garbage just waits a little longer for it.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 10, 10)


def tune_for_serving() -> None:
    """Call once, after ``create_app()``, in each serving process (gunicorn's
    ``post_worker_init`` does)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
