"""One visitor's slow input against everyone else, in a real browser.

Starts the dashboard (``streamlit run app.py`` from ``--root``, on a copy of the shipped data),
and in headless Chromium: session A pastes a pathological article into the Review page and
clicks "Find incidents" (or uploads a table file in the sidebar, ``--upload FILE``); while it is
being read, session B opens the dashboard and the time until its map is drawn is measured, and
the server's health check is polled every 0.2 s. Prints the numbers; run it on two checkouts to
compare (``--root`` of each).

    .venv/bin/python benchmarks/bench_isolation.py --form whitespace
    .venv/bin/python benchmarks/bench_isolation.py --upload /tmp/bomb.xlsx
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PASTE_LIMIT = 60_000

FORMS = {
    # A sentence end followed by a long run of whitespace.
    "whitespace": lambda: "The attack happened. " + " \t\u00a0" * 19_990 + "x",
    # A long run of capitalised words.
    "capitals": lambda: "A bomb exploded in " + "Almaty " * 8_500,
    # A sentence with thousands of figures.
    "figures": lambda: "Police said " + "1 " * 29_990 + "were killed.",
    # Thousands of number words.
    "number-words": lambda: "Officials said " + "twenty " * 8_500 + "died.",
    # An ordinary report, for comparison.
    "plain": lambda: (
        (
            "ALMATY, July 19, 2016 (Wire) - Gunmen attacked a police station in Almaty, killing "
            "three officers and wounding four, officials said.\n\n"
        )
        * 300
    ),
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):  # noqa: S310 - http
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def _poll_health(url: str, stop: threading.Event, worst: list[float]) -> None:
    while not stop.is_set():
        began = time.monotonic()
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=120):  # noqa: S310
                pass
        except OSError:
            pass
        worst.append(time.monotonic() - began)
        time.sleep(0.2)


def _map_drawn(page, timeout: float = 180) -> float:  # type: ignore[no-untyped-def]
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        for frame in page.frames:
            try:
                if frame.query_selector(".leaflet-container path.atlas-region"):
                    return time.monotonic() - began
            except Exception:  # noqa: BLE001, S112 - frames detach while Streamlit re-renders
                continue
        time.sleep(0.05)
    return float("inf")


def _session_a(browser, url: str, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    if args.upload:
        page.goto(url)
        field = "section[data-testid='stSidebar'] input[type='file']"
        page.wait_for_selector(field, state="attached")
        page.locator(field).first.set_input_files(args.upload)
        return page, "was not loaded|row\\(s\\) to look at|Back to the configured data"
    page.goto(f"{url}/review")
    area = page.locator("textarea").first
    area.wait_for(timeout=60_000)
    area.fill(FORMS[args.form]()[:PASTE_LIMIT])
    page.keyboard.press("Control+Enter")
    time.sleep(0.5)
    page.get_by_role("button", name="Find incidents").click()
    return page, "candidate\\(s\\)|Not read:"


def run(args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    root = Path(args.root).resolve()
    data = Path(tempfile.mkdtemp()) / "incidents.csv"
    for name in ("incidents.csv", "claims.csv", "sources.csv"):
        shutil.copy(root / "data" / name, data.with_name(name))
    port = _port()
    url = f"http://127.0.0.1:{port}"
    log = open(data.with_name("server.log"), "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=root, env={**os.environ, "INCIDENT_ATLAS_DATA": str(data)}, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        _healthy(url)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            warm = browser.new_page()
            began = time.monotonic()
            warm.goto(url)
            _map_drawn(warm)
            first = time.monotonic() - began
            warm.close()
            b = browser.new_page(viewport={"width": 1400, "height": 1000})
            began = time.monotonic()
            b.goto(url)
            _map_drawn(b)
            alone = time.monotonic() - began
            b.close()
            stop, worst = threading.Event(), []
            poller = threading.Thread(target=_poll_health, args=(url, stop, worst))
            page_a, done_selector = _session_a(browser, url, args)
            began = time.monotonic()
            poller.start()
            time.sleep(0.5)  # session A's input is being read
            b = browser.new_page(viewport={"width": 1400, "height": 1000})
            opened = time.monotonic()
            b.goto(url, timeout=300_000)  # a frozen server answers late, or never
            _map_drawn(b)
            during = time.monotonic() - opened
            b.screenshot(path=str(data.with_name("session-b.png")))
            page_a.wait_for_function(
                "(said) => new RegExp(said).test(document.body.innerText)",
                arg=done_selector,
                timeout=600_000,
            )
            read = time.monotonic() - began
            page_a.screenshot(path=str(data.with_name("session-a.png")))
            stop.set()
            poller.join()
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a server stuck in a request does not stop
            server.kill()
            server.wait()
        log.close()
    what = args.upload or f"article form {args.form!r}"
    print(f"root {root}; session A: {what}")
    print(f"first map of a fresh server: {first:.2f} s; a second visitor alone: {alone:.2f} s")
    print(f"session A's input read (until its answer shows): {read:.2f} s")
    print(f"session B's map drawn while A's input was read: {during:.2f} s")
    print(f"slowest health check meanwhile: {max(worst or [0]):.2f} s over {len(worst)} checks")
    print(f"screenshots: {data.with_name('session-a.png')}, {data.with_name('session-b.png')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--form", choices=sorted(FORMS), default="whitespace")
    parser.add_argument("--upload", help="a table file session A uploads instead")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
