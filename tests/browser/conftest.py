"""Real-browser fixtures: a real `jupyter lab` subprocess and headless Debian chromium via Python playwright.

- `lab`: a JupyterLab server (module-scoped) with its own SAGE_STUDIO_HOME and notebook root, a token and the non-root
  base_url `/studio/` (catches absolute-URL bugs). Engines it starts are stopped at teardown.
- `page`: a fresh chromium page; `open_lab(page, lab, path)` opens a Lab URL and waits for the shell.
- The Studio sidebar widget has the id `sage-studio-sidebar` (its tab is `[data-id="sage-studio-sidebar"]`).

Without chromium the tests skip with that reason, except under CI=true, where they fail (CI must run them).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BASE_URL = "/studio/"
TOKEN = "sage-browser-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    url: str  # http://127.0.0.1:P/studio/
    token: str
    root: Path
    home: Path
    proc: subprocess.Popen
    log: Path

    def api(self, path: str, method: str = "GET", body: bytes | None = None, timeout: float = 60):
        """Call the server's REST API with the token (for test setup/checks)."""
        req = urllib.request.Request(
            self.url + path.lstrip("/"),
            data=body,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()

    def log_tail(self, n: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def start_lab(root: Path, home: Path, log: Path, extra_env: dict | None = None) -> Lab:
    port = _free_port()
    # A fresh user-settings dir that turns off the "official Jupyter news" prompt (it covers the screenshots).
    settings_dir = log.parent / "lab-settings"
    notification = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text('{"fetchNews": "false"}')
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
        SAGE_STUDIO_HOME=str(home),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        JUPYTER_PLATFORM_DIRS="1",
        **(extra_env or {}),
    )
    env.setdefault("SAGE_STUDIO_MODELS_CACHE", str(REPO / ".cache" / "models"))
    argv = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.base_url={BASE_URL}",
        f"--ServerApp.root_dir={root}",
        "--allow-root",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    logf = open(log, "w")  # noqa: SIM115 - kept open for the subprocess's lifetime
    proc = subprocess.Popen(
        argv, stdout=logf, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True
    )
    lab = Lab(url=f"http://127.0.0.1:{port}{BASE_URL}", token=TOKEN, root=root, home=home, proc=proc, log=log)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{lab.log_tail()}")
        try:
            lab.api("api/status", timeout=5)
            return lab
        except Exception:
            time.sleep(0.5)
    stop_lab(lab)
    raise RuntimeError(f"jupyter lab did not answer within 120 s:\n{lab.log_tail()}")


def stop_lab(lab: Lab) -> None:
    if lab.proc.poll() is None:
        os.killpg(lab.proc.pid, signal.SIGTERM)
        try:
            lab.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.proc.pid, signal.SIGKILL)
            lab.proc.wait(10)
    # Engines and trainings are detached on purpose (they outlive Jupyter); stop the ones this test made.
    try:
        env_home = os.environ.get("SAGE_STUDIO_HOME")
        os.environ["SAGE_STUDIO_HOME"] = str(lab.home)
        from sage_studio_lab.store import reset_stores

        reset_stores()
        from sage_studio_lab.engine import EngineManager

        EngineManager().stop()
    except Exception:
        pass
    finally:
        if env_home is None:
            os.environ.pop("SAGE_STUDIO_HOME", None)
        else:
            os.environ["SAGE_STUDIO_HOME"] = env_home
        from sage_studio_lab.store import reset_stores

        reset_stores()


@pytest.fixture
def jp_asyncio_loop():
    """pytest-jupyter's autouse loop fixture would close playwright's running loop: not needed here."""
    yield None


@pytest.fixture
def jp_server_cleanup():
    """No pytest-jupyter server runs in browser tests (they start a real `jupyter lab`)."""
    yield


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    base = tmp_path_factory.mktemp("lab")
    root, home = base / "root", base / "home"
    root.mkdir()
    home.mkdir()
    notebooks = REPO / "notebooks"
    if notebooks.is_dir():
        shutil.copytree(notebooks, root / "notebooks")
    server = start_lab(root, home, base / "jupyter.log")
    yield server
    stop_lab(server)


@pytest.fixture(scope="module")
def engine(lab):
    """The local engine of this module's lab, started once through the REST API (the bundled model, CPU)."""
    _, body = lab.api(
        "sage-studio/api/engine/start",
        "POST",
        json.dumps({"backend": "cpu", "wait": True, "timeout": 280}).encode(),
        timeout=300,
    )
    assert json.loads(body)["status"] == "running", body
    yield


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module: playwright's sync API owns an event loop while it runs, and it must be
    gone before the rest of the suite (pytest-jupyter's loop fixture would pick it up)."""
    exe = chromium_path()
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "chromium is not installed (apt-get install -y chromium); CI must run the browser tests"
            )
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    # Kept for the failure report (pytest_runtest_makereport): what the page said and which calls failed.
    seen: list[str] = []
    pg.on(
        "console",
        lambda m: seen.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    pg.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    pg.on("requestfailed", lambda r: seen.append(f"request failed: {r.method} {r.url} {r.failure}"))
    pg.on(
        "response",
        lambda r: seen.append(f"HTTP {r.status}: {r.request.method} {r.url}") if r.status >= 400 else None,
    )
    request.node.sage_page = (pg, seen)
    yield pg
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test reports the page's console errors, failed requests, visible Studio text and the
    Jupyter log's tail, and leaves a screenshot `docs/screenshots/<test>-failure.png` (git-ignored): a flaky UI
    failure is then diagnosable from the CI log alone."""
    report = yield
    page_and_log = getattr(item, "sage_page", None)
    if report.when == "call" and report.failed and page_and_log:
        pg, seen = page_and_log
        report.sections.append(("browser log", "\n".join(seen[-80:]) or "(nothing)"))
        with contextlib.suppress(Exception):
            texts = pg.locator(".sage-studio:visible").all_inner_texts()
            report.sections.append(("visible Studio text", "\n---\n".join(t[:2000] for t in texts)))
        lab = item.funcargs.get("lab")
        if isinstance(lab, Lab):
            report.sections.append(("jupyter log (tail)", lab.log_tail(80)))
        with contextlib.suppress(Exception):
            name = item.name.replace("/", "_").replace("[", "-").rstrip("]")
            screenshot(pg, f"{name}-failure")
    return report


def open_lab(page, lab: Lab, path: str = "lab", timeout: float = 90_000):
    """Open a Lab URL (e.g. 'lab', 'lab/tree/notebooks/00-tour.ipynb') logged in with the token."""
    sep = "&" if "?" in path else "?"
    page.goto(f"{lab.url}{path}{sep}token={lab.token}", timeout=timeout)
    page.wait_for_selector("#jp-main-dock-panel", timeout=timeout)
    # The splash goes when the layout is restored: clicking earlier races the restorer (which may toggle a
    # sidebar the test just opened).
    page.locator("#jupyterlab-splash").wait_for(state="detached", timeout=timeout)
    return page


def dismiss_news_toast(page, timeout: float = 10_000) -> None:
    """JupyterLab asks once whether to fetch news; its toast covers the bottom-right corner (e.g. Send).
    It may not show at all, so waiting for it and not seeing it is fine."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with contextlib.suppress(PlaywrightTimeoutError):
        page.locator(".jp-toast-button", has_text="No").click(timeout=timeout)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
