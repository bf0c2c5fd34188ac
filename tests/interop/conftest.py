"""Fixtures of the interop tests: the real `w3mq-server` binary, started once per session.

The binary comes from `W3MQ_SERVER_BIN` (scripts/test.sh sets it to target/debug/w3mq-server);
without it, `target/debug/w3mq-server` of this repository is used. A missing binary fails the
tests: it never skips them, so CI cannot pass without having run them.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# How long the server may take to print its ready line (a cold debug build on a 2-core CI machine).
READY_TIMEOUT = 30.0
# How long it may take to stop after SIGTERM.
STOP_TIMEOUT = 15.0


@dataclass
class Server:
    """A running w3mq-server, as its ready line describes it."""

    proc: subprocess.Popen
    ready_line: str
    http_url: str  # e.g. http://127.0.0.1:41234 (no trailing slash)
    mqtt_url: str  # e.g. ws://127.0.0.1:41234/mqtt
    fields: dict[str, str]
    stderr_path: Path
    extra_stdout: list[str] = field(default_factory=list)

    @property
    def domain(self) -> str:
        """host:port of the HTTP URL: the EIP-4361 `domain`."""
        return urlsplit(self.http_url).netloc

    @property
    def mqtt_host(self) -> str:
        return urlsplit(self.mqtt_url).hostname or "127.0.0.1"

    @property
    def mqtt_port(self) -> int:
        u = urlsplit(self.mqtt_url)
        return u.port or (443 if u.scheme == "wss" else 80)

    @property
    def mqtt_path(self) -> str:
        return urlsplit(self.mqtt_url).path or "/mqtt"

    def stderr_tail(self, limit: int = 6000) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError as e:
            return f"<cannot read {self.stderr_path}: {e}>"
        return text[-limit:]


def _server_bin() -> Path:
    env = os.environ.get("W3MQ_SERVER_BIN")
    path = Path(env) if env else REPO_ROOT / "target" / "debug" / "w3mq-server"
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"w3mq-server binary not found at {path} "
            "(build it with `cargo build --workspace --bins`, or set W3MQ_SERVER_BIN)",
            pytrace=False,
        )
    return path


def _parse_ready_line(line: str) -> dict[str, str] | None:
    prefix = "w3mq-server ready "
    if not line.startswith(prefix):
        return None
    fields = {}
    for token in line[len(prefix):].split():
        key, sep, value = token.partition("=")
        if not sep:
            return None
        fields[key] = value
    if "http" not in fields or "mqtt" not in fields:
        return None
    return fields


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    binary = _server_bin()
    data_dir = tmp_path_factory.mktemp("w3mq-data")
    stderr_path = data_dir.parent / "w3mq-server.stderr.log"
    stderr_file = open(stderr_path, "wb")
    env = dict(os.environ)
    env.setdefault("RUST_BACKTRACE", "1")
    env.setdefault("NO_COLOR", "1")  # plain text in the stderr tails that failures show
    proc = subprocess.Popen(
        [str(binary), "--http", "127.0.0.1:0", "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        env=env,
        text=True,
        bufsize=1,
    )

    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        # Keeps reading stdout for the server's whole life, so that it never blocks on a full pipe.
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, name="w3mq-server-stdout", daemon=True).start()

    def fail_start(why: str) -> None:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)
        stderr_file.close()
        tail = stderr_path.read_text(errors="replace")[-6000:]
        pytest.fail(
            f"w3mq-server {why} (exit status {proc.returncode}).\n"
            f"stdout before that: {before!r}\n--- server stderr (tail) ---\n{tail}",
            pytrace=False,
        )

    before: list[str] = []
    deadline = time.monotonic() + READY_TIMEOUT
    fields = None
    ready_line = ""
    while fields is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            fail_start(f"printed no ready line within {READY_TIMEOUT:.0f} s")
        try:
            line = lines.get(timeout=min(remaining, 0.5))
        except queue.Empty:
            if proc.poll() is not None:
                fail_start("exited before printing its ready line")
            continue
        if line is None:
            proc.wait(timeout=STOP_TIMEOUT)
            fail_start("closed stdout before printing its ready line")
        fields = _parse_ready_line(line)
        if fields is None:
            before.append(line)
        else:
            ready_line = line

    assert fields is not None
    srv = Server(
        proc=proc,
        ready_line=ready_line,
        http_url=fields["http"].rstrip("/"),
        mqtt_url=fields["mqtt"],
        fields=fields,
        stderr_path=stderr_path,
        extra_stdout=before,
    )
    yield srv

    # Stop: SIGTERM, and the server must exit cleanly (status 0) by itself.
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)
            stderr_file.close()
            pytest.fail(
                f"w3mq-server did not exit within {STOP_TIMEOUT:.0f} s of SIGTERM\n"
                f"--- server stderr (tail) ---\n{srv.stderr_tail()}",
                pytrace=False,
            )
    stderr_file.close()
    # Anything printed on stdout after the ready line.
    while True:
        try:
            line = lines.get(timeout=2.0)
        except queue.Empty:
            break
        if line is None:
            break
        srv.extra_stdout.append(line)
    assert proc.returncode == 0, (
        f"w3mq-server exited with status {proc.returncode} after SIGTERM (want 0)\n"
        f"--- server stderr (tail) ---\n{srv.stderr_tail()}"
    )
    assert not srv.extra_stdout, (
        "w3mq-server must print exactly one line (the ready line) on stdout (PROTOCOL.md section 4); "
        f"it also printed: {srv.extra_stdout[:10]!r}"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the tail of the server's stderr to a failed test's report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        srv = item.funcargs.get("server") if hasattr(item, "funcargs") else None
        if isinstance(srv, Server):
            report.sections.append(("w3mq-server stderr (tail)", srv.stderr_tail()))
