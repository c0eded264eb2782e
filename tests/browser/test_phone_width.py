"""On a phone (390 px wide) no page scrolls sideways: each demo account walks the pages its navigation and home
page lead to, breadth first, and every one fits. A wide table may scroll inside its own box; the page may not."""

import re
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "demo-pass-2026"
# One demo account per role (secretary2 sees what secretary1 sees, for another branch).
ROLES = ["admin", "secretary1", "liaison1", "member1", "contact1", "street1"]
PAGES_PER_ROLE = 60
# Not pages to look at: signing out, files (exports, downloads, attachments), Django admin, static and media.
SKIP = re.compile(
    r"^/(accounts/logout|admin|static|media|i18n)/|export|download|/attachments?/|template\.xlsx|"
    r"\.(xlsx|csv|pdf|zip|docx?|png|jpe?g)$"
)


# The outermost elements that reach past the screen's edge and are not clipped by a box that scrolls on its
# own (an absolutely positioned element escapes such a box unless the box is positioned).
STICKING_OUT = """() => {
  const W = 390.5;  // the phone's width: a mobile browser widens its window to fit a wide page
  const out_of_flow = el => ['absolute', 'fixed'].includes(getComputedStyle(el).position);
  const clipped = el => {
    let escaping = out_of_flow(el);
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX !== 'visible' && (!escaping || style.position !== 'static')) return true;
      if (escaping && style.position !== 'static') escaping = out_of_flow(a);
    }
    return false;
  };
  const sticks_out = el => el.getBoundingClientRect().right > W && !clipped(el);
  const name = el => el.tagName.toLowerCase()
    + (el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().replace(/ +/g, '.') : '');
  return [...document.querySelectorAll('body *')]
    .filter(el => sticks_out(el) && !(el.parentElement !== document.body && sticks_out(el.parentElement)))
    .slice(0, 3).map(el => `${name(el)} (${Math.round(el.getBoundingClientRect().right)} px)`).join(', ');
}"""


def _shape(path: str) -> str:
    """One visit per kind of page: /members/12/ and /members/34/ look alike, so the walk sees one of them."""
    return re.sub(r"\d+", "N", path)


def _walk(page, base_url: str) -> list[str]:
    """Visit up to PAGES_PER_ROLE pages breadth first from the home page; say which are too wide, and why."""
    origin = urlsplit(base_url).netloc
    queue, seen, wide, visited = ["/"], {_shape("/")}, [], 0
    while queue and visited < PAGES_PER_ROLE:
        path = queue.pop(0)
        response = page.goto(base_url + path)
        if response is not None and response.status >= 500:
            wide.append(f"{path} answered {response.status}")  # a broken page cannot be measured
            continue
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide.append(f"{path} is {width} px wide: {page.evaluate(STICKING_OUT)}")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urlsplit(urldefrag(href)[0])
            if url.scheme not in ("http", "https") or url.netloc != origin:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if SKIP.search(url.path) or _shape(url.path) in seen:
                continue
            seen.add(_shape(url.path))
            queue.append(target)
    return wide


def test_rule_no_page_scrolls_sideways_on_a_phone(browser, live_server):
    call_command("seed_demo", verbosity=0)
    offenders = []
    for username in ROLES:
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.base_url = live_server.url
        sign_in(page, username, DEMO_PASSWORD)
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"
        offenders += [f"{username}: {line}" for line in _walk(page, live_server.url)]
        context.close()
    offenders += _narrowed(browser, live_server.url)
    assert offenders == [], "pages wider than a 390 px phone:\n" + "\n".join(offenders)


# Pages with charts: a chart drawn for a wide window must not widen the page when the window narrows (a tablet
# turned, a desktop window made small) while Chart.js has not yet redrawn it.
CHART_PAGES = ["/members/points/board/", "/enterprises/coverage/", "/services/statistics/", "/enterprises/survey/1/"]


def _narrowed(browser, base_url: str) -> list[str]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.base_url = base_url
    sign_in(page, "admin", DEMO_PASSWORD)
    wide = []
    for path in CHART_PAGES:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(base_url + path)
        page.wait_for_function("() => [...document.querySelectorAll('canvas')].every(c => c.width > 0)")
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")  # at once, before any redraw
        if width > PHONE["width"]:
            wide.append(f"{path} narrowed from 1280 px is {width} px wide: {page.evaluate(STICKING_OUT)}")
    context.close()
    return wide
