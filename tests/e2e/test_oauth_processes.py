"""``kpibot serve`` and ``kpibot source add … --oauth`` as two real processes of the installed
entry point on one database (SQLite file, or a PostgreSQL schema), the Meta stand-in in this
process, the test as the browser: the CLI prints the sign-in address and waits, the stand-in
redirects to the server's ``/oauth/callback``, the server stores the source, the CLI sees it
in the database and exits 0. Neither process's output holds the token, the code or the state.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from kpi_engine.services.secrets import new_key
from tests.e2e.test_observability import free_port, fresh_database  # noqa: F401  (fixture)
from tests.meta_standin import IgAccount, MetaStandin

BIN = Path(sys.executable).parent
IG = "17841400000000001"


def _env(url: str, port: int, key: str, meta: MetaStandin) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPIBOT_")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", KPIBOT_DATABASE_URL=url,
               KPIBOT_HTTP_HOST="127.0.0.1", KPIBOT_HTTP_PORT=str(port),
               KPIBOT_LOG_LEVEL="INFO", KPIBOT_LANGUAGE="en", KPIBOT_SECRET_KEY=key,
               KPIBOT_OAUTH_REDIRECT_URL=f"http://127.0.0.1:{port}/oauth/callback",
               KPIBOT_META_API_URL=meta.url, KPIBOT_META_DIALOG_URL=meta.url,
               KPIBOT_META_APP_ID=meta.app_id, KPIBOT_META_APP_SECRET=meta.app_secret)
    return env


def _kpibot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kpibot", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.slow
def test_serve_and_the_cli_complete_an_instagram_sign_in(fresh_database: str,  # noqa: F811
                                                        tmp_path: Path) -> None:
    port, key = free_port(), new_key()
    with MetaStandin() as meta:
        meta.ig[IG] = IgAccount(IG)
        env = _env(fresh_database, port, key, meta)
        meta.redirect_uris.add(env["KPIBOT_OAUTH_REDIRECT_URL"])
        assert _kpibot("migrate", env=env, cwd=tmp_path).returncode == 0
        made = _kpibot("demo", "--no-chat", env=env, cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        err = (tmp_path / "serve.log").open("w+")
        serve = subprocess.Popen(["kpibot", "serve"], env=env, cwd=tmp_path,
                                 stdout=subprocess.DEVNULL, stderr=err, text=True)
        cli = None
        try:
            deadline = time.monotonic() + 60
            while True:
                assert serve.poll() is None, "kpibot serve exited"
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "kpibot serve did not come up"
                time.sleep(0.2)
            cli = subprocess.Popen(["kpibot", "source", "add", "instagram", "--workspace",
                                    "demo", "--account", IG, "--oauth", "--wait", "60"],
                                   env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            assert cli.stdout is not None
            url = ""
            for line in cli.stdout:
                if line.startswith("http"):
                    url = line.strip()
                    break
            assert url, "the CLI printed no address"
            state = parse_qs(urlsplit(url).query)["state"][0]
            moved = httpx.get(url, follow_redirects=False)
            assert moved.status_code == 302
            code = parse_qs(urlsplit(moved.headers["location"]).query)["code"][0]
            page = httpx.get(moved.headers["location"])
            assert page.status_code == 200 and "Connected" in page.text
            rest, cli_err = cli.communicate(timeout=60)
            assert cli.returncode == 0, cli_err
            assert "Source 1 added: instagram account " + IG in rest
            listed = _kpibot("source", "list", "--json", env=env, cwd=tmp_path)
            [source] = json.loads(listed.stdout)
            assert (source["platform"], source["account"], source["channel"]) == (
                "instagram", IG, "instagram")
            assert source["expires_at"] is not None
            # the replayed callback is refused by the running server
            again = httpx.get(moved.headers["location"])
            assert again.status_code == 400 and "already used" in again.text
        finally:
            if cli is not None and cli.poll() is None:
                cli.kill()
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=30)
            except subprocess.TimeoutExpired:
                serve.kill()
                raise
            err.seek(0)
            logs = err.read()
            err.close()
        tokens = [t for t in meta.tokens if t.startswith("EAA")]
        assert tokens
        for secret in (*tokens, code, state, meta.app_secret):
            assert secret not in logs and secret not in rest + cli_err, secret
        assert "Traceback" not in logs
        assert "oauth flow 1: source 1 stored" in logs
