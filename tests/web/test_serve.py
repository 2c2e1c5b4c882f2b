"""`nmahp demo` (what `make run` calls) migrates, loads and serves the landing page for real."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_serves_the_landing_page(tmp_path):
    port = free_port()
    env = {**os.environ, "NMAHP_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    cli = Path(sys.executable).parent / "nmahp"
    server = subprocess.Popen([str(cli), "demo", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        body = ""
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
                    headers = response.headers
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(server.stdout.read().decode()) from None
                time.sleep(0.5)
        assert "NMAHP academic careers survey" in body and "2023-demo" in body
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/nhsuk/nhsuk-frontend.min.css") as css:
            assert css.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
