"""The book served on 127.0.0.1 and opened in headless Debian Chromium: one copy for the browser
tests (tests/book/test_browser.py) and the PDF edition (scripts/book_pdf.py).

Selenium drives the Debian `chromium` through `chromedriver` (scripts/system-deps.sh installs
both); Selenium Manager is never asked to download anything. CHROMIUM and CHROMEDRIVER name
another build.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import pathlib
import shutil
import tempfile
import threading


@contextlib.contextmanager
def serve(directory: pathlib.Path):
    """Serve a directory on 127.0.0.1 with a free port; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium(*, missing=SystemExit, timeout=60, script_timeout=None, capabilities=None):
    """A headless Chromium driver with a throw-away profile, in Korean, 1280×1600.

    Args:
        missing: the exception raised (with a message) when chromium or chromedriver is absent.
        timeout: seconds a page load may take.
        script_timeout: seconds an asynchronous script may take (Selenium's default if None).
        capabilities: extra Selenium capabilities (e.g. the logging preferences).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = (
        os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    )
    for exe in (binary, driver_path):
        if not pathlib.Path(exe).exists():
            raise missing(f"{exe} is missing: run `bash scripts/system-deps.sh browser` first")
    profile = tempfile.mkdtemp(prefix="book-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--lang=ko-KR",
        "--window-size=1280,1600",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(timeout)
    if script_timeout is not None:
        driver.set_script_timeout(script_timeout)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
