"""The command line contract of SPEC §9, in-process (``main(argv)``) and as a real
subprocess for the installed ``kpibot`` entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from adapters.cli import main
from kpi_engine.services.demo import demo_rows

NOW = "2026-11-22T10:00:00+07:00"  # a Sunday in Jakarta
TODAY = date(2026, 11, 22)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", url, "demo", "--no-chat", "--now", NOW]) == 0
    return url


def ask_json(db: str, text: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    capsys.readouterr()
    assert main(["--db", db, "ask", text, "--json", "--now", NOW, *extra]) == 0
    return json.loads(capsys.readouterr().out)


def demo_sum(metric: str, start: date, end: date, platforms: set[str]) -> float:
    """The same number computed by hand from the demo rows, without SQL."""
    return sum(r.value for r in demo_rows(TODAY) if r.metric == metric
               and r.platform in platforms and not r.handle and start <= r.day <= end)


def test_ask_json_contract_for_a_counter(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = ask_json(db, "/kpi reach minggu ini", capsys)
    assert out["intent"] == "kpi" and out["metric"] == "reach" and out["channel"] is None
    assert out["period"] == {"label": "minggu ini", "start": "2026-11-16", "end": "2026-11-22"}
    own = {"instagram", "tiktok", "youtube"}
    expected = demo_sum("reach", date(2026, 11, 16), TODAY, own)
    previous = demo_sum("reach", date(2026, 11, 9), date(2026, 11, 15), own)
    assert out["value"] == expected
    assert out["previous"]["start"] == "2026-11-09" and out["previous"]["end"] == "2026-11-15"
    assert out["previous"]["value"] == previous
    assert out["change_pct"] == round(100 * (expected - previous) / previous, 2)
    assert f"{int(expected):,}".replace(",", ".") in out["text"]


def test_ask_json_named_channel_english(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = ask_json(db, "how many clicks on tiktok last week", capsys)
    assert out["intent"] == "kpi" and out["metric"] == "clicks" and out["channel"] == "tiktok"
    start = TODAY - timedelta(days=13)
    assert out["period"]["start"] == start.isoformat()
    assert out["value"] == sum(r.value for r in demo_rows(TODAY) if r.metric == "clicks"
                               and r.platform == "tiktok" and start <= r.day <= start
                               + timedelta(days=6))
    assert "Clicks" in out["text"]


def test_ask_json_rank_shape(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """SPEC §9 ``rank``: every day of last week ranked by the day's instagram reach, computed
    here from the demo rows."""
    out = ask_json(db, "hari apa reach ig paling tinggi minggu lalu?", capsys)
    assert {"intent", "metric", "by", "order", "rows", "period", "text"} <= set(out)
    assert (out["intent"], out["metric"], out["by"], out["order"]) == ("rank", "reach", "day",
                                                                       "desc")
    assert out["period"] == {"label": "minggu lalu", "start": "2026-11-09",
                             "end": "2026-11-15"}
    days = [date(2026, 11, 9) + timedelta(days=i) for i in range(7)]
    by_day = {d.isoformat(): demo_sum("reach", d, d, {"instagram"}) for d in days}
    expected = sorted(by_day.items(), key=lambda kv: (-kv[1], kv[0]))
    assert [(r["key"], r["value"]) for r in out["rows"]] == expected
    assert all(set(r) == {"key", "value"} for r in out["rows"])
    assert out["text"].startswith("Peringkat hari · Jangkauan · instagram · minggu lalu")
    worst = ask_json(db, "/rank reach channel last week worst top 2", capsys)
    assert (worst["by"], worst["order"], worst["top"]) == ("channel", "asc", 2)
    assert len(worst["rows"]) == 2 and all("competitor" in r for r in worst["rows"])


def test_ask_error_is_json_and_exit_zero(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = ask_json(db, "/kpi rech minggu ini", capsys)
    assert out["intent"] == "error" and out["error"] == "unknown_metric"
    assert "reach" in out["text"]


def test_ask_stdin_batch(db: str, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("/kpi reach\n/ringkasan bulan ini\n\n"))
    capsys.readouterr()
    assert main(["--db", db, "ask", "--json", "--now", NOW]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line)["intent"] for line in lines] == ["kpi", "summary", "error"]


def test_ask_lang_en(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = ask_json(db, "/kpi followers bulan lalu", capsys, "--lang", "en")
    assert out["period"]["start"] == "2026-10-01" and out["period"]["end"] == "2026-10-31"
    assert "Followers" in out["text"]


def test_import_creates_workspace_and_is_idempotent(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'imp.db'}"
    csv = tmp_path / "data.csv"
    csv.write_text("date,channel,metric,value\n2026-11-01,instagram,reach,1200\n"
                   "2026-11-02,instagram,reach,1300\n", encoding="utf-8")
    assert main(["--db", url, "import", str(csv), "--workspace", "acme"]) == 0
    assert "2 baris ditulis (2 baru, 0 menggantikan" in capsys.readouterr().out
    assert main(["--db", url, "import", str(csv), "--workspace", "acme"]) == 0
    assert "2 baris ditulis (0 baru, 2 menggantikan" in capsys.readouterr().out
    out = json.loads(_ask(url, "/kpi reach 1-2 nov", capsys, "--workspace", "acme"))
    assert out["value"] == 2500


def test_import_bad_file_writes_nothing(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'imp.db'}"
    csv = tmp_path / "bad.csv"
    csv.write_text("date,channel,metric,value\n2026-11-01,instagram,reach,1200\n"
                   "2026-11-02,instagram,reach,banyak\n", encoding="utf-8")
    assert main(["--db", url, "import", str(csv), "--workspace", "acme"]) == 1
    err = capsys.readouterr().err
    assert "3" in err  # the line number
    out = json.loads(_ask(url, "/kpi reach 1-2 nov", capsys, "--workspace", "acme"))
    assert out["value"] is None


def _ask(url: str, text: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    capsys.readouterr()
    assert main(["--db", url, "ask", text, "--json", "--now", NOW, *extra]) == 0
    return capsys.readouterr().out


def test_link_then_chat_sees_workspace(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "link", "--workspace", "demo", "--platform", "telegram",
                 "--chat", "-1001", "--role", "editor"]) == 0
    from bot.bootstrap import bootstrap
    from config.settings import Settings

    app = bootstrap(Settings(database_url=db))
    access = app.store.chat_access("telegram", "-1001", "42")
    assert access is not None and access[0].slug == "demo" and access[1].value == "editor"
    app.close()


def test_migrate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", f"sqlite:///{tmp_path / 'm.db'}", "migrate"]) == 0
    assert "schema at revision" in capsys.readouterr().out


def test_installed_entry_point_help() -> None:
    exe = Path(sys.executable).with_name("kpibot")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "adapters.cli"]
    out = subprocess.run([*cmd, "--help"], capture_output=True, text=True, check=True).stdout
    for word in ("demo", "chat", "ask", "import", "link", "migrate", "serve"):
        assert word in out
