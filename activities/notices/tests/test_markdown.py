"""The one path from a notice's text to the page: ordinary Markdown renders; nothing that runs survives."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.utils.safestring import SafeString

from activities.notices.markdown import excerpt, render, sanitise

ROOT = Path(__file__).resolve().parents[3]
ALLOWED_SCHEMES = ("http://", "https://", "mailto:", "/", "#")


class Elements(HTMLParser):
    """Every element of a fragment with its attributes, as a browser's parser sees them."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def tags(self):
        return {tag for tag, _ in self.found}

    def hrefs(self):
        """The links' addresses (a link whose address was cut off has none)."""
        return [attrs["href"] for tag, attrs in self.found if tag == "a" and "href" in attrs]


def assert_harmless(html: str):
    elements = Elements(html)
    assert elements.tags() <= {
        "p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "del", "s", "blockquote",
        "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td", "a", "div",
    }  # fmt: skip
    for tag, attrs in elements.found:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs and "src" not in attrs, (tag, attrs)
    for href in elements.hrefs():
        assert href.lower().startswith(ALLOWED_SCHEMES) and not href.startswith("//"), href


# --- ordinary Markdown --------------------------------------------------------------------------------------


def test_headings_lists_emphasis_and_quotes_render():
    html = render("# 通知\n\n## 议程\n\n- 学习党章\n- 讨论**转正**事项\n\n1. 一\n2. 二\n\n> 原文\n\n~~作废~~ *强调*")
    assert "<h2>通知</h2>" in html and "<h3>议程</h3>" in html  # one level down: the page's h1 is the title
    assert "<li>学习党章</li>" in html and "<strong>转正</strong>" in html
    assert "<ol>" in html and "<blockquote>" in html and "<s>作废</s>" in html and "<em>强调</em>" in html


def test_a_table_renders_with_bootstrap_classes_and_alignment_as_a_class():
    html = render("| 项目 | 分值 |\n|---|--:|\n| 参加组织生活 | +2 |")
    assert '<div class="table-responsive"><table class="table table-sm table-bordered">' in html
    assert '<th class="text-end">分值</th>' in html and '<td class="text-end">+2</td>' in html
    assert "style" not in html


def test_links_render_with_noopener_and_pictures_become_links():
    html = render("[慈溪](https://www.cixi.gov.cn) [写信](mailto:dangzongzhi@example.cn) [会议](/activities/meetings/)")
    assert '<a href="https://www.cixi.gov.cn" rel="noopener noreferrer">慈溪</a>' in html
    assert 'href="mailto:dangzongzhi@example.cn"' in html and 'href="/activities/meetings/"' in html
    picture = render("![合影](https://example.cn/photo.jpg)")
    assert "<img" not in picture
    assert '<a href="https://example.cn/photo.jpg" rel="noopener noreferrer">合影</a>' in picture


def test_line_breaks_are_kept_as_typed():
    assert "第一行<br>\n第二行" in render("第一行\n第二行")


def test_the_result_is_marked_safe_only_after_sanitising():
    assert isinstance(render("**粗体**"), SafeString)
    assert isinstance(sanitise("<b>x</b>"), SafeString)
    assert render("") == ""


# --- nothing that runs survives -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        '<img src=x onerror="alert(1)">',
        "<iframe src=https://evil.example></iframe>",
        '<p style="position:fixed;top:0">盖住页面</p>',
        '<a href="javascript:alert(1)">点我</a>',
        "[点我](javascript:alert(1))",
        "[点我](JaVaScRiPt:alert(1))",
        "[点我](jav&#x09;ascript:alert(1))",
        "[点我](java\tscript:alert(1))",
        "[点我](&#106;avascript:alert(1))",
        "[点我](vbscript:msgbox(1))",
        "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![图](data:image/png;base64,iVBORw0KGgo=)",
        "![图](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[点我](//evil.example/)",
        '[点我](https://ok.example "x" onmouseover="alert(1)")',
        "<svg onload=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<!-- <script>alert(1)</script> -->",
    ],
)
def test_nothing_that_runs_survives_rendering(text):
    assert_harmless(render(text))


def test_raw_html_is_shown_as_text_not_passed_through():
    html = render('<b onclick="x()">粗</b>')
    assert "&lt;b onclick=" in html and "<b" not in html


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html,hi">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="color:red" onclick="x()">x</p>',
        '<div class="position-fixed">x</div>',
        '<form action="https://evil.example"><input name="password"></form>',
    ],
)
def test_the_sanitiser_alone_holds_even_if_raw_html_reached_it(dirty):
    clean = sanitise(dirty)
    assert_harmless(clean)
    assert "script" not in clean and "position-fixed" not in clean and "<form" not in clean


def test_an_excerpt_is_plain_text():
    text = "# 标题\n\n请**全体党员** & 入党积极分子参加 <b>会议</b>"
    assert excerpt(text) == "标题 请全体党员 & 入党积极分子参加 <b>会议</b>"
    assert len(excerpt("党" * 200)) <= 80


def test_no_template_of_the_board_marks_text_safe_itself():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates" / "notices").rglob("*.html")
        if "|safe" in path.read_text(encoding="utf-8") or "autoescape off" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
