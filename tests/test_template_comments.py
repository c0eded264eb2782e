"""A Django ``{# … #}`` comment ends on its own line: one spread over two lines is printed on the page as text."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_no_template_comment_spans_lines():
    open_comments = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in re.finditer(r"\{#", line):
                if "#}" not in line[match.start() :]:
                    open_comments.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert open_comments == []
