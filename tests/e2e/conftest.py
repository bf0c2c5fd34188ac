"""Fixtures of the end-to-end tests: a real w3mq-server, the real app in a real WebView.

Run through scripts/e2e.sh, which provides Xvfb, a private D-Bus session with gnome-keyring
(the app's OS keychain) and dunst (a notification server), and `W3MQ_NOTIFY_LOG`, the record of every
org.freedesktop.Notifications.Notify call. tauri-driver is this file's [`Driver`], on free ports.

The peer (the other person in the conversation) is a Python client: requests + eth-account
for sign-in and Eclipse Paho for MQTT, the helpers of tests/interop.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.remote_connection import RemoteConnection

REPO = Path(__file__).resolve().parents[2]
WAIT = 20.0


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


# The interop tests' REST and Paho helpers, and their ready-line parser.
interop = _load("w3mq_interop_paho", REPO / "tests/interop/test_paho.py")
_interop_conftest = _load("w3mq_interop_conftest", REPO / "tests/interop/conftest.py")


def _bin(var: str, default: str) -> Path:
    p = Path(os.environ.get(var) or REPO / "target" / "debug" / default)
    if not (p.is_file() and os.access(p, os.X_OK)):
        pytest.fail(f"{default} not found at {p} (build it, or set {var})", pytrace=False)
    return p


# The interop tests' description of a running server (URLs of its ready line).
Server = _interop_conftest.Server


def stop_server(srv) -> None:
    """SIGTERM, then SIGKILL if it does not exit within 15 s."""
    if srv.proc.poll() is None:
        srv.proc.send_signal(signal.SIGTERM)
        try:
            srv.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            srv.proc.kill()
            srv.proc.wait(timeout=15)


def start_server(data_dir: Path) -> Server:
    log_path = data_dir.parent / f"{data_dir.name}.server.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [str(_bin("W3MQ_SERVER_BIN", "w3mq-server")), "--http", "127.0.0.1:0", "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1,
    )
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line is None:
            break
        fields = _interop_conftest._parse_ready_line(line)
        if fields:
            return Server(proc=proc, ready_line=line, http_url=fields["http"].rstrip("/"),
                          mqtt_url=fields["mqtt"], fields=fields, stderr_path=log_path)
    proc.kill()
    pytest.fail("w3mq-server printed no ready line", pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def api(server):
    return interop.Api(server.http_url)


@pytest.fixture(scope="module")
def own_server(tmp_path_factory, request):
    """A server of the module's own: test_desktop.py stops the session's."""
    srv = start_server(tmp_path_factory.mktemp(f"{request.module.__name__}-server"))
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def own_api(own_server):
    return interop.Api(own_server.http_url)


def wait_for(what: str, get, timeout: float = WAIT):
    """Polls `get` until it returns something truthy; fails with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last_err = None
    while time.monotonic() < deadline:
        try:
            v = get()
            if v:
                return v
        except (StaleElementReferenceException, WebDriverException) as e:
            last_err = e
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_err})", pytrace=False)


def _running(binary: str) -> list[int]:
    """Pids of live processes of `binary`."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if os.readlink(d / "exe").removesuffix(" (deleted)") == binary:
                stat = (d / "stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":
                    pids.append(int(d.name))
        except OSError:
            continue
    return pids


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Driver:
    """tauri-driver (and the WebKitWebDriver it runs) on free ports, its log in $HOME/tauri-driver.log.

    Free ports, so that runs side by side (or a stray driver) never share one. A session that does
    not come up within SESSION_TIMEOUT (WebKitWebDriver waiting for a window that never opened) is
    reported with the log's tail, and the driver restarted once for a second try, instead of the
    suite hanging until CI's limit.
    """

    SESSION_TIMEOUT = 90

    def __init__(self) -> None:
        self.log_path = Path(os.environ.get("HOME", "/tmp")) / "tauri-driver.log"
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> None:
        port, native = _free_ports(2)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(REPO / ".tools/bin/tauri-driver"), "--port", str(port), "--native-port", str(native)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"tauri-driver exited:\n{self.tail()}", pytrace=False)
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        pytest.fail(f"tauri-driver did not listen within 10 s:\n{self.tail()}", pytrace=False)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return "(no log)"

    def session(self, opts: ArgOptions) -> webdriver.Remote:
        if self.proc is None:
            self.start()
        for attempt in (1, 2):
            cfg = ClientConfig(remote_server_addr=self.url, timeout=self.SESSION_TIMEOUT)
            try:
                return webdriver.Remote(command_executor=RemoteConnection(client_config=cfg), options=opts)
            except Exception as e:  # a read timeout (urllib3) or the driver's refusal
                sys.stderr.write(f"\n--- no WebDriver session (attempt {attempt}): {e!r}\n"
                                 f"--- tauri-driver log (tail):\n{self.tail()}\n"
                                 f"--- app processes: {_running(str(_bin('W3MQ_APP_BIN', 'w3mq-desktop').resolve()))}\n")
                if attempt == 2:
                    raise
                self.stop()
                self.start()
        raise AssertionError("unreachable")


DRIVER = Driver()


@pytest.fixture(scope="session", autouse=True)
def _driver():
    yield DRIVER
    DRIVER.stop()


class App:
    """One run of the app through tauri-driver."""

    def __init__(self, data_dir: Path, server: Server, name: str) -> None:
        binary = _bin("W3MQ_APP_BIN", "w3mq-desktop")
        # The single-instance plugin hands a second start to the first one and exits: a previous
        # run still shutting down would leave WebKitWebDriver waiting for a window forever.
        wait_for("the previous app process to exit", lambda: not _running(str(binary.resolve())), timeout=30)
        opts = ArgOptions()
        opts.set_capability("browserName", "wry")
        opts.set_capability("tauri:options", {
            "application": str(binary),
            "args": ["--data-dir", str(data_dir), "--http", server.http_url, "--mqtt", server.mqtt_url],
        })
        self.name = name
        self.d = DRIVER.session(opts)

    def q(self, testid: str):
        return self.d.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def one(self, testid: str, timeout: float = WAIT):
        return wait_for(f'[data-testid="{testid}"]', lambda: next(iter(self.q(testid)), None), timeout)

    def click(self, testid: str) -> None:
        self.one(testid).click()

    def type(self, testid: str, text: str, clear: bool = True) -> None:
        el = self.one(testid)
        if clear:
            el.clear()
        el.send_keys(text)

    def js(self, script: str, *args):
        return self.d.execute_script(script, *args)

    def shot(self, name: str) -> Path:
        out = Path(os.environ.get("W3MQ_SHOTS") or REPO / "target" / "e2e-shots")
        out.mkdir(parents=True, exist_ok=True)
        p = out / f"{self.name}-{name}.png"
        self.d.save_screenshot(str(p))
        return p

    def quit(self) -> None:
        try:
            self.d.quit()
        except WebDriverException:
            pass


def notifications() -> str:
    """Everything dbus-monitor recorded of Notify calls so far."""
    path = os.environ.get("W3MQ_NOTIFY_LOG")
    if not path:
        pytest.fail("W3MQ_NOTIFY_LOG is not set: run the tests through scripts/e2e.sh", pytrace=False)
    try:
        return Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A screenshot of the app when a test fails (W3MQ_SHOTS/<run>-FAILED-<test>.png)."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        ctx = getattr(item, "funcargs", {}).get("ctx")
        app = ctx.get("app") if isinstance(ctx, dict) else None
        if isinstance(app, App):
            try:
                report.sections.append(("screenshot", str(app.shot(f"FAILED-{item.name}"))))
            except WebDriverException as e:
                report.sections.append(("screenshot", f"none: {e}"))
