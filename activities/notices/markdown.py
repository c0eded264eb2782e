"""The one path from a notice's stored text to the page: Markdown, then an allow-list sanitiser.

1. markdown-it-py parses the text (CommonMark, plus tables and strikethrough). Raw HTML is off: whatever a writer
   types between angle brackets is shown as text, never passed through. A link or picture counts only when its
   address is http(s), mailto or a path on this site; anything else (``javascript:``, ``data:``, an entity trick
   like ``jav&#x09;ascript:``) stays plain text.
2. Headings move one level down (the notice's title is the page's only h1); a table gets Bootstrap's classes and a
   scrolling wrapper for phones; a column's alignment becomes a class, not a style; a picture becomes a link to
   it (the board loads nothing from elsewhere).
3. nh3 keeps only the tags and attributes listed below and links with the listed schemes, and gives every link
   ``rel="noopener noreferrer"``. Only its output is marked safe.

Templates show ``notice.body_html`` (or ``render``'s result) and never mark stored text safe themselves.
"""

import functools
import html
import re

import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from markdown_it import MarkdownIt

TAGS = {
    "p",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "del",
    "s",
    "blockquote",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "div",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALIGNMENTS = {"text-start", "text-center", "text-end"}
CLASSES = {
    "div": {"table-responsive"},
    "table": {"table", "table-sm", "table-bordered"},
    "th": ALIGNMENTS,
    "td": ALIGNMENTS,
}
URL_SCHEMES = {"http", "https", "mailto"}
SAFE_LINK = re.compile(r"^(?:https?://|mailto:|/(?!/)|#)", re.IGNORECASE)
ALIGN = {"text-align:left": "text-start", "text-align:center": "text-center", "text-align:right": "text-end"}


def _safe_link(url: str) -> bool:
    """Links to the web, to an email address, or to a page of this site; nothing a browser would run."""
    return bool(SAFE_LINK.match(url)) and not any(ord(c) < 32 or c in "\\" for c in url)


def _image_as_link(self, tokens, idx, options, env):
    token = tokens[idx]
    src = token.attrGet("src") or ""
    text = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{html.escape(str(src))}">{html.escape(text)}</a>'


def _table_open(self, tokens, idx, options, env):
    return '<div class="table-responsive"><table class="table table-sm table-bordered">\n'


def _table_close(self, tokens, idx, options, env):
    return "</table></div>\n"


_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])
_md.validateLink = _safe_link
_md.add_render_rule("image", _image_as_link)
_md.add_render_rule("table_open", _table_open)
_md.add_render_rule("table_close", _table_close)


def _adjust(tokens) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        elif token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            token.attrs = {"class": ALIGN[style]} if style in ALIGN else {}


def render(text: str) -> SafeString:
    """The notice's Markdown as sanitised HTML, safe to put on a page."""
    env: dict = {}
    tokens = _md.parse(text or "", env)
    _adjust(tokens)
    return sanitise(_md.renderer.render(tokens, _md.options, env))


def sanitise(dirty: str) -> SafeString:
    """HTML cut down to the allow-list: the second guard, which holds even if the first let something through."""
    clean = nh3.clean(
        dirty,
        tags=TAGS,
        attributes=ATTRIBUTES,
        allowed_classes=CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # The only mark_safe on stored text: sanitised by nh3 just above (bandit B308/B703 accepted for that reason).
    return mark_safe(clean)  # noqa: S308  # nosec B308 B703


def excerpt(text: str, length: int = 80) -> str:
    """A line of plain text from the notice, for lists (escaped again by the template)."""
    return _excerpt(text or "", length, get_language())


@functools.lru_cache(maxsize=1024)
def _excerpt(text: str, length: int, language: str | None) -> str:
    """``excerpt``, kept per process for the text it was made from (a pure function of ``text``, and of the language
    for the truncation mark: an edited body is a new key). Parsing and sanitising each notice of the board on every
    view was a fifth of the board's time."""
    plain = html.unescape(strip_tags(render(text)))
    return Truncator(" ".join(plain.split())).chars(length)
