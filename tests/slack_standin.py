"""A Slack Web API stand-in for tests and benchmarks: aiohttp on 127.0.0.1, port 0.

It answers what KPI Bot calls — ``auth.test``, ``chat.postMessage``, ``chat.postEphemeral``,
``chat.update`` (a posted message's text and blocks replaced; ``message_not_found`` for a
``ts`` it never posted in that channel; ``messages`` keeps each posted message as it is now),
``files.getUploadURLExternal``, the upload URL it hands out, ``files.completeUploadExternal``,
``apps.connections.open`` (+ a Socket Mode WebSocket), shared files' ``url_private`` — and
``response_url`` posts. Every call
is recorded (``calls``); ``rate_limit("chat.postMessage", retry_after=1)`` answers the next
call of a method with ``429`` and ``Retry-After``. Use the real ``slack_sdk``/``slack_bolt``
clients against ``api_url``; nothing leaves the loopback interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER_ID = "UKPIBOT"
BOT_ID = "BKPIBOT"
TEAM_ID = "T0KPI"


@dataclass
class Call:
    """One request the stand-in received."""

    method: str  # "chat.postMessage", "upload", "response", "socket"
    params: dict[str, Any]
    status: int = 200
    body: bytes = b""
    key: str = ""  # the upload's file id or the response_url's key
    authorization: str = ""
    at: float = field(default_factory=time.monotonic)


class SlackStandIn:
    """Start with ``await standin.start()``; ``api_url`` is the Web API base URL."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.not_member: set[str] = set()  # channels where the bot is not a member
        self._limits: dict[str, list[int]] = {}
        self._errors: dict[str, list[str]] = {}
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self.port = 0
        self.sockets: list[web.WebSocketResponse] = []
        self.files: dict[str, bytes] = {}
        self.socket_acks: list[dict[str, Any]] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) → message

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> SlackStandIn:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/files/{file_id}/{name}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        for address in self._runner.addresses:
            self.port = int(address[1])
        return self

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def response_url(self, key: str) -> str:
        return f"{self.url}response/{key}"

    # -- test controls ---------------------------------------------------------------------
    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        self._limits.setdefault(method, []).extend([retry_after] * times)

    def fail(self, method: str, error: str = "internal_error", times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": …}``
        (HTTP 200, as Slack does: no client retries it by itself)."""
        self._errors.setdefault(method, []).extend([error] * times)

    def add_file(self, name: str, data: bytes, size: int | None = None) -> dict[str, Any]:
        """A file shared in Slack: the ``files`` item of a message event."""
        file_id = f"F{next(self._files):06d}"
        self.files[file_id] = data
        url = f"{self.url}files/{file_id}/{name}"
        return {"id": file_id, "name": name, "title": name, "size": len(data) if size is None
                else size, "url_private": url, "url_private_download": url + "?download=1"}

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def delivered(self, method: str = "chat.postMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (checked after every call); return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"stand-in: condition not met in {timeout}s; calls: "
                                   f"{[c.method for c in self.calls]}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.2))

    async def wait_calls(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        return await self.wait_for(
            lambda: (found if len(found := self.delivered(method)) >= count else None), timeout)

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to the connected client."""
        await self.wait_for(lambda: self.sockets)
        await self.sockets[-1].send_str(json.dumps(envelope))

    # -- handlers --------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update({k: v for k, v in (await request.post()).items()
                           if isinstance(v, str)})
        call = Call(method, params, authorization=request.headers.get("Authorization", ""))
        queue = self._limits.get(method)
        if queue:
            call.status = 429
            self._record(call)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(queue.pop(0))})
        errors = self._errors.get(method)
        if errors:
            call.params = {**params, "_answered": errors[0]}
            self._record(call)
            return web.json_response({"ok": False, "error": errors.pop(0)})
        self._record(call)
        return web.json_response(self._answer(method, params))

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        ts = f"{1_790_000_000 + next(self._ts)}.000100"
        if method == "auth.test":
            return {"ok": True, "url": "https://kpi-test.slack.com/", "team": "KPI Test",
                    "user": "kpibot", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID, "is_enterprise_install": False}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            channel = str(p.get("channel", ""))
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            if channel in self.not_member:
                return {"ok": False, "error": "not_in_channel"}
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            message = {"type": "message", "text": p.get("text"), "ts": ts, "bot_id": BOT_ID,
                       "blocks": _blocks(p.get("blocks"))}
            self.messages[(channel, ts)] = message
            return {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}
        if method == "chat.update":
            channel, old = str(p.get("channel", "")), str(p.get("ts", ""))
            found = self.messages.get((channel, old))
            if found is None:
                return {"ok": False, "error": "message_not_found"}
            if not p.get("text") and not p.get("blocks"):
                return {"ok": False, "error": "no_text"}
            if p.get("blocks") is not None:
                blocks = _blocks(p.get("blocks"))
                if len(blocks) > 50:
                    return {"ok": False, "error": "invalid_blocks"}
                found["blocks"] = blocks
            if p.get("text"):
                found["text"] = p.get("text")
            return {"ok": True, "channel": channel, "ts": old, "text": found["text"],
                    "message": dict(found)}
        if method == "files.getUploadURLExternal":
            if not p.get("filename") or not str(p.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._files):06d}"
            return {"ok": True, "upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            channel = str(p.get("channel_id", ""))
            if channel in self.not_member:
                return {"ok": False, "error": "not_in_channel"}
            files = json.loads(p.get("files", "[]"))
            known = {c.key for c in self.calls if c.method == "upload"}
            if not files or any(f.get("id") not in known for f in files):
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")}
                                          for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "files.upload":
            return {"ok": False, "error": "method_deprecated"}
        return {"ok": False, "error": "unknown_method"}

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        self._record(Call("upload", {}, body=body, key=request.match_info["file_id"]))
        return web.Response(text=f"OK - {len(body)}")

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        auth = request.headers.get("Authorization", "")
        self._record(Call("download", {}, key=file_id, authorization=auth))
        if not auth.startswith("Bearer xoxb-") or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    async def _response(self, request: web.Request) -> web.Response:
        params = await request.json()
        self._record(Call("response", params, key=request.match_info["key"]))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        self._record(Call("socket", {"event": "connected"}))
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "A0KPI"}}))
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                self.socket_acks.append(data)
                self._record(Call("socket", data))
        self.sockets.remove(ws)
        return ws


def _blocks(raw: Any) -> list[dict[str, Any]]:
    """Blocks as the client sent them: a JSON string (form posts) or a list (JSON bodies)."""
    if isinstance(raw, str):
        raw = json.loads(raw) if raw else []
    return list(raw or [])
