"""Requests per second on a real gunicorn server, measured from loopback.

``wrk`` (Debian package) is used when installed; otherwise a small threaded
client with keep-alive connections, which is slower and is named as such.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, instance: Path, workers: int = 2, page_cache: bool = True):
    """Start ``bench.wsgi:app`` on a free port; yield the port; stop it."""
    port = _free_port()
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LEDGER_ENV": "production",
        "LEDGER_INSTANCE_PATH": str(instance),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "BENCH_PAGE_CACHE": "1" if page_cache else "0",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench.wsgi:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if server.poll() is not None:
                    errors = server.stderr.read().decode() if server.stderr else ""
                    raise RuntimeError(errors[-2000:]) from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def status(port: int, path: str) -> int:
    # The first request waits for the workers to boot, which takes a while on a loaded machine.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path)
    code = connection.getresponse().status
    connection.close()
    return code


def load(port: int, path: str, seconds: int, connections: int = 16) -> dict:
    """Requests per second for ``path``; which generator; non-2xx responses."""
    if shutil.which("wrk"):
        return _wrk(port, path, seconds, connections)
    return _threads(port, path, seconds, connections)


def _wrk(port: int, path: str, seconds: int, connections: int) -> dict:
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    p99 = re.search(r"99%\s+(\S+)", done.stdout)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "tool": f"wrk -t2 -c{connections} -d{seconds}s",
        "errors": int(errors.group(1)) if errors else 0,
        "p99": p99.group(1) if p99 else "?",
    }


def _threads(port: int, path: str, seconds: int, connections: int) -> dict:
    counts = [0] * connections
    errors = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            counts[index] += 1
            errors[index] += response.status >= 400

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "rps": sum(counts) / elapsed,
        "tool": f"python threads x{connections} (wrk not installed)",
        "errors": sum(errors),
        "p99": "?",
    }
