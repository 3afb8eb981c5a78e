"""``kpibot source`` and ``kpibot secret-key`` as real subprocesses of the installed entry
point (SPEC §10): the refusals a user meets before any connector or key is set, said
clearly, with nothing stored; and a key made by ``secret-key`` accepted by the next run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet


def _run(*args: str, db: str, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("kpibot")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "adapters.cli"]
    full = {k: v for k, v in os.environ.items() if not k.startswith("KPIBOT_")}
    full.update(env or {})
    return subprocess.run([*cmd, "--db", db, *args], capture_output=True, text=True,
                          env=full, timeout=120)


def test_source_commands_as_a_user_meets_them(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'src.db'}"
    key = _run("secret-key", db=db)
    assert key.returncode == 0
    Fernet(key.stdout.strip().encode())  # a real Fernet key
    assert _run("demo", "--no-chat", db=db).returncode == 0
    env = {"KPIBOT_SECRET_KEY": key.stdout.strip()}
    # a source is stored with its token sealed; adding it makes no request to the platform
    added = _run("source", "add", "tiktok", "--workspace", "demo", "--account", "7001",
                 "--token", "tt-secret-token", db=db, env={**env, "KPIBOT_LANGUAGE": "en"})
    assert added.returncode == 0, added.stderr
    assert "Source 1 added" in added.stdout
    assert "Traceback" not in added.stderr and "tt-secret-token" not in added.stdout + \
        added.stderr
    unknown = _run("source", "add", "myspace", "--workspace", "demo", "--account", "1",
                   "--token", "x", db=db, env={**env, "KPIBOT_LANGUAGE": "en"})
    assert unknown.returncode == 1 and "Unknown platform 'myspace'" in unknown.stderr
    oauth = _run("source", "add", "instagram", "--workspace", "demo", "--account", "1",
                 "--oauth", db=db, env=env)  # no callback address: refused before any URL
    assert oauth.returncode == 1 and "KPIBOT_OAUTH_REDIRECT_URL" in oauth.stderr
    assert "http" not in oauth.stdout
    listed = _run("source", "list", "--json", db=db, env=env)
    assert listed.returncode == 0
    assert [(s["platform"], s["channel"]) for s in json.loads(listed.stdout)] == \
        [("tiktok", "tiktok")]
    assert "tt-secret-token" not in listed.stdout
    gone = _run("source", "remove", "4", db=db, env={**env, "KPIBOT_LANGUAGE": "en"})
    assert gone.returncode == 1 and "There is no data source #4" in gone.stderr
    synced = _run("source", "sync", "--since", "kemarin", db=db, env=env)
    assert synced.returncode == 2 and "is not a day (YYYY-MM-DD)" in synced.stderr
    assert b"tt-secret-token" not in (tmp_path / "src.db").read_bytes()
    assert _run("source", "remove", "1", db=db, env=env).returncode == 0
    listed = _run("source", "list", "--json", db=db, env=env)
    assert json.loads(listed.stdout) == []
