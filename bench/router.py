"""The router's own cost per chat question: the demo workspace on SQLite, 50 linked
Telegram chats, the four questions of ``bench/telegram.py``; no platform, no thread.

``python bench/router.py [--quick]``; the last line is one JSON object:
``router_quick_ms`` (``Router.handle_quick``, the path a read-only question takes on the
event loop) and ``router_handle_ms`` (``Router.handle``, the thread path), each the mean
over all questions, and ``router_quick_p95_ms``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/telegram.py is named like the ``telegram`` package: keep bench/ off the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def run(quick: bool = False) -> dict[str, float]:
    from bench.telegram import CHATS, NOW, QUESTIONS, TODAY
    from bot.bootstrap import bootstrap
    from bot.reply import Request
    from config.settings import Settings
    from kpi_engine.domain.model import Role
    from kpi_engine.services.seed import seed_demo

    n = 1000 if quick else 5000
    with tempfile.TemporaryDirectory() as tmp:
        app = bootstrap(Settings(database_url=f"sqlite:///{Path(tmp) / 'router.db'}"),
                        clock=lambda: NOW)
        ws, _ = seed_demo(app.store, TODAY)
        for chat in CHATS:
            app.store.link_chat(ws.id, "telegram", str(chat), Role.VIEWER)
        requests = [Request(text=QUESTIONS[i % len(QUESTIONS)], platform="telegram",
                            chat_id=str(chat), user_id=str(chat + 10_000),
                            user_name=f"user{chat}", chat_type="private")
                    for i, chat in enumerate(CHATS * 4)]
        for req in requests:  # users remembered, statement caches warm
            if app.router.handle(req).error is not None:
                raise SystemExit(f"unexpected answer to {req.text!r}")
        quick: list[float] = []
        for i in range(n):
            t0 = time.perf_counter()
            reply = app.router.handle_quick(requests[i % len(requests)])
            quick.append(time.perf_counter() - t0)
            if reply is None:
                raise SystemExit("a /kpi question did not take the quick path")
        t0 = time.perf_counter()
        for i in range(n):
            app.router.handle(requests[i % len(requests)])
        handle_ms = (time.perf_counter() - t0) / n * 1000
        app.close()
    quick.sort()
    result = {"router_quick_ms": round(sum(quick) / n * 1000, 3),
              "router_quick_p95_ms": round(quick[int(n * 0.95)] * 1000, 3),
              "router_handle_ms": round(handle_ms, 3)}
    print(f"  router: {n} questions, quick path {result['router_quick_ms']} ms "
          f"(p95 {result['router_quick_p95_ms']}), handle {result['router_handle_ms']} ms",
          file=sys.stderr)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="1,000 questions instead of 5,000")
    print(json.dumps(run(quick=ap.parse_args().quick)))


if __name__ == "__main__":
    main()
