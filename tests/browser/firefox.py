"""A headless Firefox ESR driven over WebDriver BiDi, with no geckodriver in between.

Firefox's Remote Agent speaks WebDriver BiDi (https://w3c.github.io/webdriver-bidi/) on a
WebSocket when started with ``--remote-debugging-port``. This client needs only six commands:
``session.new``, ``session.subscribe`` (to ``log.entryAdded``, the console),
``browsingContext.getTree``, ``browsingContext.navigate``, ``script.evaluate`` and
``browser.close``. The browser runs in its own process group with a throw-away profile
whose ``user.js`` turns off every background connection, so the only traffic is to the
loopback servers the tests start.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

__all__ = ["FIREFOX_PREFS", "BiDiError", "Firefox", "ScriptError"]

# Everything Firefox would otherwise fetch from the internet at start-up or in the background.
FIREFOX_PREFS: dict[str, bool | int | str] = {
    # Start-up pages and first-run chrome.
    "browser.startup.page": 0,
    "browser.startup.homepage": "about:blank",
    "browser.startup.homepage_override.mstone": "ignore",
    "startup.homepage_welcome_url": "about:blank",
    "startup.homepage_welcome_url.additional": "",
    "browser.shell.checkDefaultBrowser": False,
    "browser.aboutwelcome.enabled": False,
    "trailhead.firstrun.didSeeAboutWelcome": True,
    "datareporting.policy.firstRunURL": "",
    "browser.newtabpage.enabled": False,
    "browser.newtabpage.activity-stream.feeds.section.topstories": False,
    "browser.newtabpage.activity-stream.feeds.snippets": False,
    "browser.newtabpage.activity-stream.feeds.telemetry": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "browser.newtabpage.activity-stream.feeds.topsites": False,
    "browser.topsites.contile.enabled": False,
    "browser.discovery.enabled": False,
    # Captive portal and connectivity checks.
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    # Updates: the application, add-ons, system add-ons, search engines, media plug-ins.
    "app.update.enabled": False,
    "app.update.auto": False,
    "app.update.checkInstallTime": False,
    "app.update.disabledForTesting": True,
    "app.update.url": "",
    "extensions.update.enabled": False,
    "extensions.update.autoUpdateDefault": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "extensions.systemAddon.update.url": "",
    "browser.search.update": False,
    "browser.search.geoip.url": "",
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "media.gmp-manager.url": "",
    "media.gmp-gmpopenh264.enabled": False,
    "media.gmp-widevinecdm.enabled": False,
    # Telemetry and health reports.
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.server": "",
    "toolkit.telemetry.newProfilePing.enabled": False,
    "toolkit.telemetry.shutdownPingSender.enabled": False,
    "toolkit.telemetry.firstShutdownPing.enabled": False,
    "toolkit.telemetry.bhrPing.enabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "browser.ping-centre.telemetry": False,
    "browser.crashReports.unsubmittedCheck.enabled": False,
    # Safe Browsing lists and lookups.
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.provider.google.updateURL": "",
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "privacy.trackingprotection.enabled": False,
    # Normandy (studies) and Remote Settings.
    "app.normandy.enabled": False,
    "app.normandy.api_url": "",
    "app.shield.optoutstudies.enabled": False,
    "services.settings.server": "data:,",
    "messaging-system.rsexperimentloader.enabled": False,
    # Push, geolocation, DNS-over-HTTPS, prefetching, speculative connections, proxies.
    "dom.push.connection.enabled": False,
    "dom.push.serverURL": "",
    "geo.provider.network.url": "",
    "network.trr.mode": 5,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0,
    "browser.urlbar.speculativeConnect.enabled": False,
    "network.proxy.type": 0,
    "identity.fxaccounts.enabled": False,
    "services.sync.enabled": False,
}

_LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")


class BiDiError(RuntimeError):
    """A BiDi command failed, or the browser did not start."""


class ScriptError(RuntimeError):
    """The evaluated expression threw or rejected, or has no JSON value."""


def _user_js(prefs: dict[str, bool | int | str]) -> str:
    return "".join(
        f"user_pref({json.dumps(name)}, {json.dumps(value)});\n" for name, value in prefs.items()
    )


class Firefox:
    """One headless Firefox with a fresh profile, driven over a single BiDi session."""

    name = "firefox"

    def __init__(self, binary: str | Path, *, timeout: float = 30.0) -> None:
        import websocket

        self.profile = tempfile.mkdtemp(prefix="wsgicors-firefox-")
        Path(self.profile, "user.js").write_text(_user_js(FIREFOX_PREFS), encoding="utf-8")
        self._timeout = timeout
        self._ids = itertools.count(1)
        self._log: collections.deque[str] = collections.deque(maxlen=40)
        # Console messages (BiDi `log.entryAdded` events) not yet read by `console`.
        self._console: list[str] = []
        self._endpoint: str | None = None
        self._ready = threading.Event()
        env = dict(os.environ, MOZ_HEADLESS="1", MOZ_CRASHREPORTER_DISABLE="1")
        # Port 0: the agent picks a free port and prints it, so two sessions never collide.
        self.process = subprocess.Popen(
            [
                str(binary),
                "--headless",
                "--no-remote",
                "--profile",
                self.profile,
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        assert self.process.stderr is not None
        self._drainer = threading.Thread(
            target=self._drain, args=(self.process.stderr,), daemon=True
        )
        self._drainer.start()
        try:
            if not self._ready.wait(timeout) or self._endpoint is None:
                raise BiDiError(f"Firefox did not start its Remote Agent: {self.output()}")
            # The agent refuses a handshake that carries an Origin header.
            self._socket: websocket.WebSocket = websocket.create_connection(
                f"{self._endpoint}/session", suppress_origin=True, timeout=timeout
            )
            session = self.command("session.new", {"capabilities": {}})
            self.version: str = session["capabilities"].get("browserVersion", "unknown")
            self.command("session.subscribe", {"events": ["log.entryAdded"]})
            tree = self.command("browsingContext.getTree", {})
            self._context: str = tree["contexts"][0]["context"]
        except BaseException:
            self.quit()
            raise

    def _drain(self, stream: IO[bytes]) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            self._log.append(line)
            match = _LISTENING.search(line)
            if match and self._endpoint is None:
                self._endpoint = match.group(1)
                self._ready.set()
        self._ready.set()

    def output(self) -> str:
        """The browser's last lines on stderr, for error messages."""
        return " | ".join(self._log) or "(no output)"

    def command(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send one command and return its result, skipping events until the reply comes."""
        number = next(self._ids)
        self._socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv())
            if message.get("method") == "log.entryAdded":
                self._console.append(str(message["params"].get("text", "")))
            if message.get("id") != number:
                continue
            if message.get("type") == "error":
                raise BiDiError(f"{method}: {message.get('error')}: {message.get('message')}")
            result: dict[str, Any] = message["result"]
            return result

    def open(self, url: str) -> None:
        """Load ``url`` in the one tab and wait for its load event."""
        self.command(
            "browsingContext.navigate", {"context": self._context, "url": url, "wait": "complete"}
        )

    def evaluate(self, expression: str) -> Any:
        """Evaluate a JavaScript expression in the page; await it; return its JSON value."""
        result = self.command(
            "script.evaluate",
            {
                "expression": f"Promise.resolve(({expression})).then((v) => JSON.stringify(v))",
                "target": {"context": self._context},
                "awaitPromise": True,
            },
        )
        if result.get("type") == "exception":
            details = result.get("exceptionDetails", {})
            raise ScriptError(f"script threw: {details.get('text', details)}")
        value = result["result"]
        if value.get("type") != "string":
            raise ScriptError(f"the expression has no JSON value: {value!r}")
        return json.loads(value["value"])

    def console(self) -> list[str]:
        """The console messages since the last call (a round trip first collects the events
        the browser has sent by now)."""
        self.command(
            "script.evaluate",
            {"expression": "0", "target": {"context": self._context}, "awaitPromise": False},
        )
        messages, self._console = self._console, []
        return messages

    def quit(self) -> None:
        """Close the browser, then kill whatever is left of its process group."""
        try:
            socket = getattr(self, "_socket", None)
            if socket is not None and socket.connected:
                import websocket

                # Closing politely is best effort; the kill below is not.
                with contextlib.suppress(BiDiError, OSError, websocket.WebSocketException):
                    self.command("browser.close", {})
                socket.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self._drainer.join(timeout=10)
            if self.process.stderr is not None:
                self.process.stderr.close()
            shutil.rmtree(self.profile, ignore_errors=True)
