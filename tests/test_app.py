"""The app module: one server per process, a secret key that several workers share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import app

ROOT = Path(__file__).resolve().parents[1]


def test_server_is_built_once_per_process() -> None:
    assert app.server is app.server


def test_several_gunicorn_workers_need_a_shared_secret_key(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name != "RISKON_SECRET_KEY"}
    env |= {"RISKON_SOURCE": "snapshot", "RISKON_CACHE_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", "127.0.0.1:0", "app:server"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "2 workers need one shared RISKON_SECRET_KEY" in result.stderr


def test_one_process_signs_with_a_random_key_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKON_SECRET_KEY", raising=False)
    first, second = (app.create_app().server.secret_key for _ in range(2))
    assert first != second and len(str(first)) >= 64
    monkeypatch.setenv("RISKON_SECRET_KEY", "shared")
    assert app.create_app().server.secret_key == "shared"
