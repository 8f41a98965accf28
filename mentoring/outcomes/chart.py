"""Server-rendered SVG charts as pure functions: a line for a trend, paired bars for before and
after. No JavaScript and no external assets; each chart carries a text equivalent (a title, a
description and the same numbers as a list for screen readers), and scales to the width of a
phone through its viewBox.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, PAD = 320, 180, 28


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: nothing to show (too few answers), drawn as a gap


@dataclass(frozen=True)
class Chart:
    svg: str  # safe markup, every text escaped
    text: list[str]  # the same figures in words


def _y(value: float, low: float, high: float) -> float:
    return HEIGHT - PAD - (value - low) / (high - low) * (HEIGHT - 2 * PAD)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def trend_chart(title: str, points: Sequence[Point], *, low: float, high: float) -> Chart:
    """A line through the points left to right; a missing value breaks the line."""
    n = len(points)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)
    xs = [PAD + i * step for i in range(n)]
    segments: list[list[str]] = [[]]
    dots = []
    for x, point in zip(xs, points, strict=True):
        if point.value is None:
            segments.append([])
            continue
        y = _y(point.value, low, high)
        segments[-1].append(f"{x:.1f},{y:.1f}")
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" />')
    lines = "".join(
        f'<polyline points="{" ".join(seg)}" fill="none" stroke="currentColor" stroke-width="2" />'
        for seg in segments
        if len(seg) > 1
    )
    labels = "".join(
        f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="10" text-anchor="middle">{escape(p.label)}</text>'
        for x, p in zip(xs, points, strict=True)
    )
    text = [f"{p.label}: {_fmt(p.value) if p.value is not None else 'not shown'}" for p in points]
    return Chart(_frame(title, "; ".join(text), lines + "".join(dots) + labels, low, high), text)


def change_chart(
    title: str, rows: Sequence[tuple[str, float | None, float | None]], *, low: float, high: float
) -> Chart:
    """Two bars per row (before, after) with the row's label under them."""
    group = (WIDTH - 2 * PAD) / max(len(rows), 1)
    bar = group / 3
    parts = []
    text = []
    for i, (label, before, after) in enumerate(rows):
        x = PAD + i * group + bar / 2
        for offset, value, opacity in ((0.0, before, "0.45"), (bar, after, "1")):
            if value is None:
                continue
            y = _y(value, low, high)
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{HEIGHT - PAD - y:.1f}" '
                f'fill="currentColor" fill-opacity="{opacity}" />'
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{HEIGHT - 8}" font-size="10" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        shown_before = _fmt(before) if before is not None else "not given"
        shown_after = _fmt(after) if after is not None else "not given yet"
        text.append(f"{label}: {shown_before} at the start, {shown_after} at the end")
    return Chart(_frame(title, "; ".join(text), "".join(parts), low, high), text)


def _frame(title: str, description: str, body: str, low: float, high: float) -> str:
    axis = (
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="currentColor" '
        f'stroke-opacity="0.4" />'
        f'<text x="4" y="{_y(high, low, high) + 4:.1f}" font-size="10">{_fmt(high)}</text>'
        f'<text x="4" y="{_y(low, low, high) + 4:.1f}" font-size="10">{_fmt(low)}</text>'
    )
    key = "chart-" + (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "untitled")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{key}-title {key}-desc" class="chart">'
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(description)}</desc>'
        f"{axis}{body}</svg>"
    )
