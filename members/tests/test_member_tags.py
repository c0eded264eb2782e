"""The timeline the member page builds in Python escapes what it shows (filter fields: test_filter_field.py)."""

import datetime

from django.utils import timezone

from members import timeline
from members.templatetags.member_tags import timeline_items


def _squeeze(html: str) -> str:
    return " ".join(html.replace(">", "> ").replace("<", " <").split())


def test_the_timeline_escapes_what_it_shows_and_marks_what_is_planned():
    today = timezone.localdate()
    later = today + datetime.timedelta(days=3)
    events = [
        timeline.Event(later, "flag", "<b>计划</b>", "a & b", "/x/?a=1&b=2"),
        timeline.Event(today, "star", "积分", routine="积分"),
    ]
    html = timeline_items(timeline.folded(events), today)
    assert "&lt;b&gt;计划&lt;/b&gt;" in html and "a &amp; b" in html and 'href="/x/?a=1&amp;b=2"' in html
    assert f"{later:%Y-%m-%d} · " in html and html.count('data-testid="timeline-fold"') == 1
