"""The serving process's collector settings, as gunicorn's worker hook applies them."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from ledger.platform.gc_tuning import THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]


class _App:
    """What the hook sees of the app gunicorn loaded: its routes are loaded on demand (#30)."""

    routes_loaded = False

    def load_routes(self) -> None:
        self.routes_loaded = True


@pytest.fixture
def restored_gc():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_a_gunicorn_worker_freezes_the_built_app_and_collects_less_often(restored_gc):
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    kept = type("Kept", (), {})()  # alive before the hook: frozen with the app
    worker = SimpleNamespace(wsgi=_App())
    settings["post_worker_init"](worker=worker)
    assert worker.wsgi.routes_loaded  # the pages and API built before the freeze, not per request
    assert gc.isenabled()
    assert gc.get_threshold() == THRESHOLDS
    assert THRESHOLDS[0] > 700  # CPython's default, which made full collections frequent
    assert gc.get_freeze_count() > 0
    assert not any(obj is kept for obj in gc.get_objects())  # out of the collector's sight
    del kept
