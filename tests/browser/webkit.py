"""WebKitGTK (the engine of Safari) driven through ``WebKitWebDriver``, on a private Xvfb display.

Debian's ``webkit2gtk-driver`` brings ``WebKitWebDriver`` and the ``MiniBrowser`` it automates;
MiniBrowser has no headless mode, so it draws on an X server of its own: an ``Xvfb`` started
here with ``-displayfd`` (it picks a free display number and says which). The driver, the browser
and the X server each lead a process group that `WebKit.quit` kills.

WebKitWebDriver speaks classic WebDriver only: it has no log endpoint and no BiDi, and the
automation session's web view ignores MiniBrowser's ``--enable-write-console-messages-to-stdout``,
so `WebKit.console` returns None.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import warnings
from typing import Any

from .firefox import BiDiError
from .harness import evaluate_with_webdriver

__all__ = ["WebKit"]

_XVFB_START_TIMEOUT = 20.0


def _read_display(fd: int, process: subprocess.Popen[bytes]) -> str:
    """The display number Xvfb writes to ``fd`` once it accepts connections."""
    import select

    received = b""
    while not received.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], _XVFB_START_TIMEOUT)
        chunk = os.read(fd, 64) if ready else b""
        if not chunk:
            raise BiDiError(f"Xvfb did not start (exit status {process.poll()})")
        received += chunk
    return f":{received.decode().strip()}"


class WebKit:
    """One MiniBrowser under WebKitWebDriver, on its own Xvfb display, for the whole session."""

    name = "webkit"

    def __init__(self, binary: str, driver: str, xvfb: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        read_end, write_end = os.pipe()
        self._xvfb = subprocess.Popen(
            [
                xvfb,
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_end,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(write_end)
        self._group: int | None = None
        try:
            display = _read_display(read_end, self._xvfb)
            options = Options()
            options.binary_location = binary
            options.add_argument("--automation")
            # The display for MiniBrowser; no accessibility bus to look for.
            env = dict(os.environ, DISPLAY=display, NO_AT_BRIDGE="1")
            service = Service(
                driver,
                env=env,
                log_output=subprocess.DEVNULL,
                popen_kw={"start_new_session": True},
            )
            with warnings.catch_warnings():
                # selenium's WebKitGTK driver still builds its connection the deprecated way.
                warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
                self.driver: Any = webdriver.WebKitGTK(service=service, options=options)
            self._group = service.process.pid
            self.driver.set_script_timeout(20)
            self.driver.set_page_load_timeout(20)
            self.version: str = self.driver.capabilities.get("browserVersion", "unknown")
        except BaseException:
            self.quit()
            raise
        finally:
            os.close(read_end)

    def open(self, url: str) -> None:
        self.driver.get(url)

    def evaluate(self, expression: str) -> Any:
        return evaluate_with_webdriver(self.driver, expression)

    def console(self) -> None:
        return None

    def quit(self) -> None:
        try:
            driver = getattr(self, "driver", None)
            if driver is not None:
                with contextlib.suppress(Exception):
                    driver.quit()
        finally:
            for group in (self._group, self._xvfb.pid):
                if group is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(group, signal.SIGKILL)
            self._xvfb.wait(timeout=10)
