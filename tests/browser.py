"""A headless Chromium driven over the DevTools protocol: load a page, watch its console and
network, run a script in it, take a screenshot. For the tests of the timeline pictures."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "headless_shell")


def find_browser() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Page:
    """One tab of a fresh headless browser; every event it sends is kept in ``events``."""

    def __init__(self, width: int = 1200, height: int = 900) -> None:
        import websocket  # from the test extras

        browser = find_browser()
        if browser is None:
            raise RuntimeError("no Chromium")
        self.profile = tempfile.mkdtemp(prefix="kurskcli-chromium-")
        self.log = open(Path(self.profile) / "stderr.log", "w+b")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,  # its own process group: close() ends its helpers too
        )
        # the browser's log goes to a file (a pipe nobody reads would fill and stop it)
        deadline = time.monotonic() + 30
        url = None
        while url is None and time.monotonic() < deadline and self.proc.poll() is None:
            m = re.search(r"DevTools listening on (ws://\S+)", Path(self.log.name).read_text("utf-8", "replace"))
            url = m.group(1) if m else None
            time.sleep(0.05)
        if url is None:
            self.close()
            raise RuntimeError("the browser did not start")
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        try:
            # no Origin header: Chromium refuses a DevTools connection from an origin it was not told to allow
            self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Network", "Log"):
                self.call(f"{domain}.enable", session=True)
            self.call(
                "Emulation.setDeviceMetricsOverride",
                session=True,
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
        except BaseException:
            self.close()  # the browser, its helpers and its log go with the failure
            raise

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def load(self, path: Path) -> None:
        self.call("Page.navigate", session=True, url=path.resolve().as_uri())
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise RuntimeError("the page did not load")
            self.events.append(json.loads(self.ws.recv()))
        self.evaluate("1")  # let what the load started finish reporting

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(str(result["exceptionDetails"]))
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries."""
        out = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(str(params.get("exceptionDetails")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(str(params.get("args")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                out.append(str(params["entry"].get("text")))
        return out

    def requests(self) -> list[str]:
        """Every URL the page asked for, the page itself included."""
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, full_page: bool = False) -> tuple[int, int, bytes]:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = base64.b64decode(self.call("Page.captureScreenshot", session=True, **params)["data"])
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        return width, height, data

    def close(self) -> None:
        try:
            if hasattr(self, "ws"):
                self.ws.close()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # the browser and every helper it started
            self.proc.wait()
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)


def available() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if find_browser() is None:
        return "no headless Chromium (.ci/run installs Debian's chromium-headless-shell where it can)"
    try:
        import websocket  # noqa: F401
    except ImportError:
        return "websocket-client is missing (it is in the test extras)"
    if os.environ.get("KURSKCLI_NO_BROWSER"):
        return "KURSKCLI_NO_BROWSER is set"
    return None
