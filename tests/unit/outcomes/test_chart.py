"""The SVG charts: valid markup, escaped text, a text equivalent with the same figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from mentoring.outcomes.chart import Point, change_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


@given(
    st.lists(st.one_of(st.none(), st.floats(1, 5)), min_size=1, max_size=12),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
)
def test_a_trend_chart_is_valid_svg_with_one_line_of_text_per_point(values: list, title: str) -> None:
    points = [Point(f"#{i + 1}", v) for i, v in enumerate(values)]
    chart = trend_chart(title, points, low=1, high=5)
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == (title or None)
    assert len(chart.text) == len(points)
    assert len(root.findall(f"{SVG}circle")) == sum(v is not None for v in values)
    for node in root.findall(f"{SVG}circle"):
        assert 0 <= float(node.get("cy")) <= 180


def test_a_missing_value_breaks_the_line_and_reads_as_not_shown() -> None:
    chart = trend_chart(
        "Pulse", [Point("#1", 3), Point("#2", None), Point("#3", 4), Point("#4", 5)], low=1, high=5
    )
    root = ET.fromstring(chart.svg)
    assert [len(p.get("points").split()) for p in root.findall(f"{SVG}polyline")] == [2]
    assert chart.text == ["#1: 3", "#2: not shown", "#3: 4", "#4: 5"]


def test_a_change_chart_draws_before_and_after_and_says_both() -> None:
    chart = change_chart("Yours", [("isolation", 6, 3), ("stress", 5, None)], low=1, high=7)
    root = ET.fromstring(chart.svg)
    assert len(root.findall(f"{SVG}rect")) == 3
    assert chart.text == [
        "isolation: 6 at the start, 3 at the end",
        "stress: 5 at the start, not given yet at the end",
    ]


def test_labels_are_escaped() -> None:
    chart = trend_chart("<script>", [Point("<b>", 2)], low=1, high=5)
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    ET.fromstring(chart.svg)
