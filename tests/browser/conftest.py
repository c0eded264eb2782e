"""Playwright driving Debian's Chromium. Never a downloaded browser.

Without Chromium the browser tests are skipped with a message; in CI (CI=true) a missing Chromium fails
the run instead, so a green CI always means the journeys really ran.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"


def _chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    missing = _chromium_missing()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("Content Security Policy violation: " + e.effectiveDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def csp_violations(page) -> list[str]:
    """The console errors that report something the Content-Security-Policy blocked."""
    return [text for text in page.console_errors if "Content Security Policy" in text or "Refused to" in text]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    # The Content-Security-Policy is on in tests: anything it blocks fails the test. Chromium reports a block
    # on the console ("Refused to ... Content Security Policy"); the init script (run by the browser, outside
    # the page's policy) also reports each securitypolicyviolation event there, so no block goes unseen.
    context.add_init_script(CSP_LISTENER)
    page.base_url = live_server.url
    yield page
    violations = csp_violations(page)
    context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


def sign_in(page, username, password):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_test_id("user-menu").click()
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_load_state()


def axe_violations(page) -> list:
    # Not page.add_script_tag: that inserts an inline <script>, which the Content-Security-Policy refuses.
    # page.evaluate runs through the DevTools protocol, outside the page's policy; axe sets window.axe itself.
    page.evaluate("() => {\n" + AXE_JS.read_text() + "\n}")
    return page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
