"""A real ``kam-xl serve`` for the tests: a free loopback port, a self-signed certificate, start, wait, stop.

Used by the loopback test of the server (tests/test_server.py) and the browser tests (tests/test_browser.py), so
both run the server exactly as a user starts it: ``python -m kam_xl.cli serve`` over HTTPS in its own process.
"""

from __future__ import annotations

import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (openssl), valid for a day: ``(cert.pem, key.pem)`` in ``folder``.
    Fails — never skips — when openssl is missing."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out",
                        str(cert)], check=True, capture_output=True, timeout=60)
    except FileNotFoundError:
        pytest.fail("openssl is not installed: the HTTPS server tests need it (apt-get install openssl)")
    return cert, key


@dataclass
class Served:
    """A running server: its address, its certificate, its log file and, once stopped, its exit code."""

    base: str
    cert: Path
    log: Path
    exit_code: int | None = None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def client(self, timeout: float = 30) -> httpx.Client:
        """An HTTP client that trusts the server's certificate."""
        return httpx.Client(base_url=self.base, verify=ssl.create_default_context(cafile=str(self.cert)),
                            timeout=timeout)


@contextmanager
def serving(folder: Path, options: list[str], env: dict[str, str], ready_s: float = 90) -> Iterator[Served]:
    """Start ``kam-xl serve --port <free> --ssl-certfile … --ssl-keyfile … <options>`` with ``env`` in ``folder``
    (its log in ``folder/server.log``), wait until ``/health`` answers, yield it, stop it with Ctrl+C (SIGINT, as
    a user would) and record its exit code; a server that dies while starting fails the test with its log."""
    cert, key = self_signed(folder)
    port = free_port()
    served = Served(f"https://127.0.0.1:{port}", cert, folder / "server.log")
    with open(served.log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kam_xl.cli", "serve", "--port", str(port), "--ssl-certfile",
                                 str(cert), "--ssl-keyfile", str(key), *options],
                                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    try:
        with served.client(timeout=10) as http:
            deadline = time.monotonic() + ready_s
            while True:
                assert proc.poll() is None, served.log_text()
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.2)
        yield served
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            served.exit_code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
