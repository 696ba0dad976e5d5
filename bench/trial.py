"""Trial balance in a fresh process, so its peak memory can be compared with hledger's.

``python -m bench.trial URL`` prints one JSON object: best-of-3 seconds for the
running-balance table and for the SQL sum over postings, and the process's peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile

from bench.queries import timed, trial_balance_running, trial_balance_summed
from ledger import create_app
from ledger.extensions import db


def _peak_kb() -> int:
    """This process's peak RSS.  VmHWM (Linux) belongs to this program image; ru_maxrss
    also counts what the parent had when it forked us, which is not ours."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(url: str) -> dict:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance)
        with app.app_context():
            baseline_kb = _peak_kb()
            running_s, running = timed(trial_balance_running, db.session)
            summed_s, summed = timed(trial_balance_summed, db.session)
            db.engine.dispose()
    return {
        "running_s": running_s,
        "summed_s": summed_s,
        "match": running == summed,
        "lines": len(running),
        "maxrss_kb": _peak_kb(),
        "baseline_kb": baseline_kb,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
