"""Single host: gunicorn's workers run one refresher between them, and another worker takes over when it dies."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import requests

from tests.data_sources.conftest import free_port
from tests.data_sources.fake_upstream import DEADLINE_SECONDS, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _health(url: str) -> dict[str, object]:
    """/healthz's body, or {} while no worker answers (one is being replaced)."""
    try:
        return dict(requests.get(url, timeout=10).json())
    except (requests.RequestException, ValueError):
        return {}


def _workers(master: int) -> set[int]:
    return {int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def _pid(refresher: object) -> int:
    return int(str(refresher).rsplit(" ", 1)[1])


def test_gunicorn_workers_elect_one_refresher_and_another_takes_over(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # no network: every vendor request goes to a port nobody listens on
    env = {
        **os.environ,
        "RISKON_SOURCE": "auto",
        "RISKON_CACHE_DIR": str(tmp_path / "cache"),
        "RISKON_SECRET_KEY": "test-only",
        "HTTPS_PROXY": closed,
        "HTTP_PROXY": closed,
        "NO_PROXY": "",
    }
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    command = [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "app:server"]
    master = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        wait_for(lambda: _health(url).get("state") == "offline", "the elected worker tried every vendor")
        body = _health(url)
        leader = body["refresher"]
        assert _pid(leader) in _workers(master.pid)
        assert str(body["line"]).endswith("network unreachable")
        answers = [_health(url)["refresher"] for _ in range(10)]  # both workers answer, naming the same one
        assert answers == [leader] * 10
        os.kill(_pid(leader), signal.SIGKILL)
        wait_for(lambda: _health(url).get("refresher") not in (None, leader), "another worker took over")
    finally:
        master.terminate()
        master.wait(DEADLINE_SECONDS)
