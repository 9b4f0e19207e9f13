"""Server-side SVG charts, safe under the strict Content Security Policy.

Every function returns :class:`markupsafe.Markup` holding one inline ``<svg class="chart">``: no
``style`` attributes, no ``<style>`` elements, no scripts - colours come from ``class`` names styled
in ``static/style.css``. Each chart has ``role="img"``, a ``<title>`` (``aria-labelledby``) and a
``<desc>`` (``aria-describedby``) listing the values, a ``viewBox`` and no fixed size, so it scales
with its container. All text is escaped.

A value of ``None`` means suppressed (small-cell rule): no bar or point is drawn, and the
``suppressed_label`` (``"<11"``) is written in its place. Suppress *before* charting - a chart
never sees a number that the page may not show (see ``caseflow.equity.suppression``).

Charts are pictures of data that should also be on the page as a table; the ``<desc>`` is a
fallback, not a replacement for the table.
"""

from __future__ import annotations

import itertools
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from caseflow.i18n import number

__all__ = ["bar_chart", "line_chart", "paired_bar_chart", "power_map", "series_chart", "trend_chart"]

WIDTH = 640
ACTOR_KINDS = ("target", "ally", "opponent", "neutral")
_ids = itertools.count(1)
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


# --- helpers -------------------------------------------------------------------------------------


def _num(x: float) -> str:
    """A coordinate: one decimal at most."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _chart_id(chart_id: str | None) -> str:
    if chart_id is None:
        return f"chart-{next(_ids)}"
    if not _ID_RE.match(chart_id):
        raise ValueError(f"chart_id must be a simple identifier, not {chart_id!r}")
    return chart_id


def _open(title: str, desc: str, height: float, chart_id: str | None, kind: str) -> list[str]:
    cid = _chart_id(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        f'viewBox="0 0 {WIDTH} {_num(height)}" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{cid}-title" aria-describedby="{cid}-desc">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _close(parts: list[str]) -> Markup:
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every dynamic piece above went through escape()


def _text(
    x: float,
    y: float,
    text: str,
    *,
    cls: str | None = None,
    anchor: str | None = None,
    tooltip: str | None = None,
    transform: str | None = None,
) -> str:
    attrs = f'x="{_num(x)}" y="{_num(y)}"'
    if cls:
        attrs += f' class="{cls}"'
    if anchor:
        attrs += f' text-anchor="{anchor}"'
    if transform:
        attrs += f' transform="{transform}"'
    inner = f"<title>{escape(tooltip)}</title>" if tooltip else ""
    return f"<text {attrs}>{inner}{escape(text)}</text>"


def _label(label: Any, limit: int, *, x: float, y: float, anchor: str = "end", cls: str = "label") -> str:
    full = str(label)
    short = _short(full, limit)
    return _text(x, y, short, cls=cls, anchor=anchor, tooltip=full if short != full else None)


def _fmt(value: float, value_format: str) -> str:
    return value_format.format(value)


def _nice(x: float) -> float:
    """1, 2 or 5 times a power of ten, at least x."""
    if x <= 0:
        return 1.0
    exp = math.floor(math.log10(x))
    base = 10.0**exp
    for m in (1, 2, 5, 10):
        if x <= m * base * (1 + 1e-9):
            return m * base
    return 10 * base  # pragma: no cover


def _ticks(max_value: float, *, fixed_top: float | None = None, integers: bool = False) -> tuple[float, list[float]]:
    """The top of the y scale and the gridline values from 0 to it."""
    if fixed_top is not None and fixed_top > 0:
        top = float(fixed_top)
        step = _nice(top / 5)
    else:
        step = _nice(max_value / 4) if max_value > 0 else 1.0
        if integers:
            step = max(1.0, round(step))
        top = step * math.ceil(max_value / step) if max_value > 0 else step
    ticks = []
    k = 0
    while k * step <= top * (1 + 1e-9):
        ticks.append(round(k * step, 10))
        k += 1
    return top, ticks


def _tick_label(v: float) -> str:
    return number(int(v)) if float(v).is_integer() else number(v)


def _is_number(v: Any) -> bool:
    """A drawable value: any finite real number (int, float, Decimal); None means suppressed."""
    return isinstance(v, numbers.Number) and not isinstance(v, bool | complex) and math.isfinite(float(v))


# --- bar charts ----------------------------------------------------------------------------------

_LABEL_W = 200  # right edge of the category labels
_BAR_X = _LABEL_W + 8
_VALUE_W = 120  # room for the value text after the longest bar
_BAR_MAX = WIDTH - _BAR_X - _VALUE_W


def _empty(title: str, chart_id: str | None, kind: str) -> Markup:
    parts = _open(title, gettext("No data."), 40, chart_id, kind)
    parts.append(_text(WIDTH / 2, 24, gettext("No data"), cls="axis-label", anchor="middle"))
    return _close(parts)


def bar_chart(
    items: Sequence[tuple[str, float | None]],
    title: str,
    *,
    value_format: str = "{:,}",
    flagged: Iterable[str] = frozenset(),
    suppressed_label: str = "<11",
    chart_id: str | None = None,
) -> Markup:
    """Horizontal bars, one per ``(label, value)``; ``None`` is suppressed, labels in ``flagged``
    get ``class="bar flag"`` and "(flagged)" after their value."""
    if not items:
        return _empty(title, chart_id, "bar")
    flagged = set(flagged)
    row_h, bar_h, top = 26, 16, 8
    height = top * 2 + row_h * len(items)
    peak = max((float(v) for _, v in items if _is_number(v)), default=0.0)
    scale = _BAR_MAX / peak if peak > 0 else 0.0

    summary = []
    body = []
    for n, (label, value) in enumerate(items):
        y = top + n * row_h
        mid = y + row_h / 2 + 4
        body.append(_label(label, 30, x=_LABEL_W, y=mid))
        flag = label in flagged
        if _is_number(value):
            text = _fmt(value, value_format) + (" (flagged)" if flag else "")
            width = max(float(value), 0.0) * scale
            cls = "bar flag" if flag else "bar"
            body.append(
                f'<rect class="{cls}" x="{_BAR_X}" y="{_num(y + (row_h - bar_h) / 2)}" '
                f'width="{_num(width)}" height="{bar_h}"/>'
            )
            body.append(_text(_BAR_X + width + 6, mid, text, cls="value"))
        else:
            text = suppressed_label
            body.append(_text(_BAR_X + 4, mid, text, cls="value suppressed"))
        summary.append(f"{label}: {text}")
    parts = _open(title, "; ".join(summary) + ".", height, chart_id, "bar")
    parts.append(f'<line class="axis" x1="{_BAR_X}" y1="{top}" x2="{_BAR_X}" y2="{_num(height - top)}"/>')
    parts.extend(body)
    return _close(parts)


def paired_bar_chart(
    items: Sequence[tuple[str, float | None, float | None]],
    title: str,
    *,
    series: tuple[str, str] | None = None,  # default: ("In this pattern", "All concerns"), in the reader's words
    value_format: str = "{:.0%}",
    flagged: Iterable[str] = frozenset(),
    suppressed_label: str = "<11",
    chart_id: str | None = None,
) -> Markup:
    """Two bars per group: ``(label, share in the pattern, share of the caseload)``.

    The first bar is ``class="bar"`` (``"bar flag"`` for labels in ``flagged``), the second
    ``class="bar alt"``; a legend names the two series.
    """
    if not items:
        return _empty(title, chart_id, "paired")
    series = series or (gettext("In this pattern"), gettext("All concerns"))
    flagged = set(flagged)
    legend_h, group_h, bar_h, gap = 28, 40, 13, 3
    height = legend_h + group_h * len(items) + 8
    values = [float(v) for _, a, b in items for v in (a, b) if _is_number(v)]
    peak = max(values, default=0.0)
    scale = _BAR_MAX / peak if peak > 0 else 0.0

    legend = [
        f'<rect class="swatch" x="{_BAR_X}" y="8" width="12" height="12"/>',
        _text(_BAR_X + 18, 18, series[0], cls="legend"),
        f'<rect class="swatch alt" x="{_BAR_X + 180}" y="8" width="12" height="12"/>',
        _text(_BAR_X + 198, 18, series[1], cls="legend"),
    ]
    if flagged & {label for label, _, _ in items}:
        legend.append(f'<rect class="swatch flag" x="{_BAR_X + 340}" y="8" width="12" height="12"/>')
        legend.append(_text(_BAR_X + 358, 18, gettext("Flagged"), cls="legend"))

    summary = []
    body = []
    for n, (label, first, second) in enumerate(items):
        y0 = legend_h + n * group_h + (group_h - 2 * bar_h - gap) / 2
        body.append(_label(label, 30, x=_LABEL_W, y=y0 + bar_h + gap / 2 + 4))
        flag = label in flagged
        texts = []
        for k, (value, cls) in enumerate(((first, "bar flag" if flag else "bar"), (second, "bar alt"))):
            y = y0 + k * (bar_h + gap)
            if _is_number(value):
                text = _fmt(value, value_format) + (" (flagged)" if flag and k == 0 else "")
                width = max(float(value), 0.0) * scale
                body.append(f'<rect class="{cls}" x="{_BAR_X}" y="{_num(y)}" width="{_num(width)}" height="{bar_h}"/>')
                body.append(_text(_BAR_X + width + 6, y + bar_h - 2, text, cls="value"))
            else:
                text = suppressed_label
                body.append(_text(_BAR_X + 4, y + bar_h - 2, text, cls="value suppressed"))
            texts.append(f"{series[k]} {text}")
        summary.append(f"{label}: " + ", ".join(texts))
    parts = _open(title, "; ".join(summary) + ".", height, chart_id, "paired")
    parts.extend(legend)
    parts.append(f'<line class="axis" x1="{_BAR_X}" y1="{legend_h}" x2="{_BAR_X}" y2="{_num(height - 8)}"/>')
    parts.extend(body)
    return _close(parts)


# --- line charts ---------------------------------------------------------------------------------


def _line(
    points: Sequence[tuple[str, float | None]],
    title: str,
    *,
    kind: str,
    y_label: str,
    y_max: float | None,
    value_format: str,
    suppressed_label: str,
    chart_id: str | None,
    height: float,
) -> Markup:
    if not points:
        return _empty(title, chart_id, kind)
    left, right, top, bottom = 56, 20, 14, 34
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    base = top + plot_h
    numbers = [float(v) for _, v in points if _is_number(v)]
    integers = all(isinstance(v, int) for _, v in points if _is_number(v))
    y_top, ticks = _ticks(max(numbers, default=0.0), fixed_top=y_max, integers=integers)
    n = len(points)

    def px(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))

    def py(v: float) -> float:
        return base - min(max(v, 0.0), y_top) / y_top * plot_h

    summary = []
    body = []
    for t in ticks:
        y = py(t)
        body.append(f'<line class="grid" x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}"/>')
        body.append(_text(left - 6, y + 4, _tick_label(t), cls="tick", anchor="end"))
    body.append(f'<line class="axis" x1="{left}" y1="{_num(base)}" x2="{left + plot_w}" y2="{_num(base)}"/>')
    body.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{_num(base)}"/>')
    if y_label:
        body.append(
            _text(
                14,
                top + plot_h / 2,
                y_label,
                cls="axis-label",
                anchor="middle",
                transform=f"rotate(-90 14 {_num(top + plot_h / 2)})",
            )
        )

    segment: list[str] = []
    segments = []
    dots = []
    for i, (label, value) in enumerate(points):
        if _is_number(value):
            x, y = px(i), py(float(value))
            segment.append(f"{_num(x)},{_num(y)}")
            text = _fmt(value, value_format)
            dots.append(
                f'<circle class="dot" cx="{_num(x)}" cy="{_num(y)}" r="3">'
                f"<title>{escape(f'{label}: {text}')}</title></circle>"
            )
        else:
            if segment:
                segments.append(segment)
            segment = []
            text = suppressed_label
            dots.append(_text(px(i), base - 4, suppressed_label, cls="suppressed", anchor="middle"))
        summary.append(f"{label}: {text}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            body.append(f'<polyline class="line" points="{" ".join(seg)}"/>')
    body.extend(dots)

    shown = sorted({0, n // 2, n - 1})
    for i in shown:
        anchor = "middle" if n == 1 else "start" if i == 0 else "end" if i == n - 1 else "middle"
        body.append(_label(points[i][0], 20, x=px(i), y=base + 18, anchor=anchor, cls="tick"))

    parts = _open(title, "; ".join(summary) + ".", height, chart_id, kind)
    parts.extend(body)
    return _close(parts)


def line_chart(
    points: Sequence[tuple[str, int | None]],
    title: str,
    *,
    y_label: str = "",
    value_format: str = "{:,}",
    suppressed_label: str = "<11",
    chart_id: str | None = None,
) -> Markup:
    """A timeline: ``(label, count)`` points joined by a line, with y gridlines and the first,
    middle and last x labels. ``None`` breaks the line and shows ``suppressed_label``."""
    return _line(
        points,
        title,
        kind="line",
        y_label=y_label,
        y_max=None,
        value_format=value_format,
        suppressed_label=suppressed_label,
        chart_id=chart_id,
        height=240,
    )


def trend_chart(
    series: Sequence[tuple[str, float | None]],
    title: str,
    *,
    y_max: float | None = None,
    y_label: str = "",
    value_format: str = "{:g}",
    suppressed_label: str = "–",
    chart_id: str | None = None,
) -> Markup:
    """A small line chart for scores over time; ``y_max`` fixes the top of the scale (e.g. 5)."""
    return _line(
        series,
        title,
        kind="trend",
        y_label=y_label,
        y_max=y_max,
        value_format=value_format,
        suppressed_label=suppressed_label,
        chart_id=chart_id,
        height=180,
    )


def series_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    title: str,
    *,
    references: Sequence[tuple[str, float]] = (),
    y_label: str = "",
    value_format: str = "{:,g}",
    suppressed_label: str = "<11",
    chart_id: str | None = None,
) -> Markup:
    """Several lines over the same x labels (one per group), with a legend, and optional
    horizontal reference lines (``("Baseline 21", 21.0)``), dashed and named at their right end.
    ``None`` leaves a gap in a line and is listed as ``suppressed_label`` in the description."""
    if not labels or not series:
        return _empty(title, chart_id, "series")
    per_row = 3
    legend_rows = math.ceil(len(series) / per_row)
    left, right, top, bottom = 56, 92, 16 + legend_rows * 18, 34
    height = 250 + legend_rows * 18
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    base = top + plot_h
    numbers_ = [float(v) for _, values in series for v in values if _is_number(v)]
    numbers_ += [float(v) for _, v in references if _is_number(v)]
    y_top, ticks = _ticks(max(numbers_, default=0.0))
    n = len(labels)

    def px(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))

    def py(v: float) -> float:
        return base - min(max(v, 0.0), y_top) / y_top * plot_h

    body: list[str] = []
    summary: list[str] = []
    for t in ticks:
        y = py(t)
        body.append(f'<line class="grid" x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}"/>')
        body.append(_text(left - 6, y + 4, _tick_label(t), cls="tick", anchor="end"))
    body.append(f'<line class="axis" x1="{left}" y1="{_num(base)}" x2="{left + plot_w}" y2="{_num(base)}"/>')
    body.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{_num(base)}"/>')
    if y_label:
        mid = top + plot_h / 2
        body.append(_text(14, mid, y_label, cls="axis-label", anchor="middle", transform=f"rotate(-90 14 {_num(mid)})"))
    for k, (name, value) in enumerate(references):
        if not _is_number(value):
            continue
        y = py(float(value))
        body.append(f'<line class="ref ref-{k % 2}" x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}"/>')
        body.append(_label(name, 14, x=left + plot_w + 4, y=y + 4, anchor="start", cls="ref-label"))
        summary.append(f"{name}: {_fmt(value, value_format)}")
    for k, (name, values) in enumerate(series):
        cls = f"series-{k % 6}"
        col, row = k % per_row, k // per_row
        lx, ly = left + col * (plot_w / per_row), 12 + row * 18
        body.append(f'<rect class="swatch {cls}" x="{_num(lx)}" y="{_num(ly - 9)}" width="10" height="10"/>')
        body.append(_label(name, 26, x=lx + 14, y=ly, anchor="start", cls="legend"))
        segment: list[str] = []
        segments: list[list[str]] = []
        said = []
        for i, value in enumerate(values[:n]):
            if _is_number(value):
                x, y = px(i), py(float(value))
                segment.append(f"{_num(x)},{_num(y)}")
                text = _fmt(value, value_format)
                body.append(
                    f'<circle class="dot {cls}" cx="{_num(x)}" cy="{_num(y)}" r="3">'
                    f"<title>{escape(f'{name}, {labels[i]}: {text}')}</title></circle>"
                )
            else:
                if segment:
                    segments.append(segment)
                segment = []
                text = suppressed_label if value is None else gettext("no value")
            said.append(f"{labels[i]} {text}")
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                body.append(f'<polyline class="line {cls}" points="{" ".join(seg)}"/>')
        summary.append(f"{name}: " + ", ".join(said))
    for i in sorted({0, n // 2, n - 1}):
        anchor = "middle" if n == 1 else "start" if i == 0 else "end" if i == n - 1 else "middle"
        body.append(_label(labels[i], 20, x=px(i), y=base + 18, anchor=anchor, cls="tick"))
    parts = _open(title, "; ".join(summary) + ".", height, chart_id, "series")
    parts.extend(body)
    return _close(parts)


# --- power map -----------------------------------------------------------------------------------

_POSITION_WORDS = {
    -2: _l("strongly opposed"),
    -1: _l("opposed"),
    0: _l("neutral"),
    1: _l("supportive"),
    2: _l("strongly supportive"),
}
_KIND_WORDS = {"target": _l("Target"), "ally": _l("Ally"), "opponent": _l("Opponent"), "neutral": _l("Neutral")}


def _clamp(value: Any, low: float, high: float, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    if not math.isfinite(number):
        return default
    return min(max(number, low), high)


# Text boxes are estimated, not measured: an 11px system-ui glyph averages well under 0.6em, so
# 6.4 units a character (and 14 units a line) over-estimates a label a little, which only leaves
# more air between labels.
_CHAR_W = 6.4
_LINE_H = 14.0
_MARKER_R = 10.0


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _inside(box: Box, frame: Box) -> bool:
    return box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]


def _label_box(x: float, y: float, text: str, anchor: str) -> Box:
    """The box a one-line label with its baseline at (x, y) covers."""
    width = len(text) * _CHAR_W
    x0 = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return (x0, y - _LINE_H + 3, x0 + width, y + 3)


def _ring(count: int) -> float:
    """Radius of the ring that holds `count` markers sharing a grid point without touching."""
    if count <= 1:
        return 0.0
    return max(2 * _MARKER_R + 2, (2 * _MARKER_R + 4) * count / (2 * math.pi))


def power_map_layout(actors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Where the power map puts each actor's marker and name, and the lines labels must not cross.

    Markers carry the actor's number (its row in the table beside the map). A name is placed at the
    first spot around its marker where its box stays inside the plot and touches no marker, no other
    name and no quadrant line; where no spot is free the name is left out — the number and the table
    say who it is. Returned for the drawing below and for tests of the geometry.
    """
    height = 460
    left, right, top, bottom = 44, 20, 40, 44
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def px(position: float) -> float:  # -2.5 .. 2.5 across the plot
        return left + (position + 2.5) / 5 * plot_w

    def py(influence: float) -> float:  # 0.5 .. 5.5 up the plot
        return top + (5.5 - influence) / 5 * plot_h

    placed = []
    for actor in actors:
        position = _clamp(actor.get("position"), -2, 2, 0)
        influence = _clamp(actor.get("influence"), 1, 5, 1)
        kind = str(actor.get("kind") or "neutral").lower()
        placed.append(
            (
                str(actor.get("name") or gettext("Unnamed")),
                position,
                influence,
                kind if kind in ACTOR_KINDS else "neutral",
            )
        )

    crowd: dict[tuple[int, int], list[int]] = {}
    for n, (_, position, influence, _) in enumerate(placed):
        crowd.setdefault((round(position), round(influence)), []).append(n)
    frame: Box = (left, top, left + plot_w, top + plot_h)
    markers = []
    centres: dict[int, tuple[float, float]] = {}
    for members in crowd.values():
        radius = _ring(len(members))
        for k, n in enumerate(members):
            _, position, influence, _ = placed[n]
            angle = 2 * math.pi * k / len(members) - math.pi / 2
            x = px(position) + radius * math.cos(angle)
            y = py(influence) + radius * math.sin(angle)
            # A big crowd at the edge stays inside the frame.
            x = min(max(x, frame[0] + _MARKER_R + 1), frame[2] - _MARKER_R - 1)
            y = min(max(y, frame[1] + _MARKER_R + 1), frame[3] - _MARKER_R - 1)
            centres[n] = (x, y)
    for n in range(len(placed)):
        x, y = centres[n]
        markers.append((x - _MARKER_R, y - _MARKER_R, x + _MARKER_R, y + _MARKER_R))

    mid_x, mid_y = px(0), py(3)
    lines: list[Box] = [(mid_x - 1, frame[1], mid_x + 1, frame[3]), (frame[0], mid_y - 1, frame[2], mid_y + 1)]
    r = _MARKER_R
    spots = [  # (dx, dy of the baseline point, anchor), nearest first
        (r + 4, 4, "start"),
        (-(r + 4), 4, "end"),
        (0, -(r + 5), "middle"),
        (0, r + 14, "middle"),
        (r + 2, -(r + 3), "start"),
        (r + 2, r + 12, "start"),
        (-(r + 2), -(r + 3), "end"),
        (-(r + 2), r + 12, "end"),
        (0, -(r + 19), "middle"),
        (0, r + 28, "middle"),
    ]
    labels: list[Box] = []
    items = []
    for n, (name, position, influence, kind) in enumerate(placed):
        x, y = centres[n]
        text = _short(name, 22)
        label = None
        for dx, dy, anchor in spots:
            box = _label_box(x + dx, y + dy, text, anchor)
            if not _inside(box, frame):
                continue
            if any(_overlaps(box, other, 2) for other in labels + markers + lines):
                continue
            label = {"x": x + dx, "y": y + dy, "anchor": anchor, "text": text, "box": box}
            labels.append(box)
            break
        items.append(
            {
                "number": n + 1,
                "name": name,
                "position": position,
                "influence": influence,
                "kind": kind,
                "x": x,
                "y": y,
                "marker": markers[n],
                "label": label,
            }
        )
    return {
        "height": height,
        "frame": frame,
        "px": px,
        "py": py,
        "lines": lines,
        "items": items,
    }


def power_map(actors: Sequence[Mapping[str, Any]], title: str, *, chart_id: str | None = None) -> Markup:
    """Actors on a grid: x = position (-2 opposed ... +2 supportive), y = influence (1 low ... 5 high).

    Each actor is a dict with ``name``, ``influence`` (1..5), ``position`` (-2..2) and ``kind``
    (target, ally, opponent or neutral; anything else is drawn as neutral). Quadrant lines sit at
    position 0 and influence 3, so opposed, powerful actors land in the upper left. Each marker
    shows the actor's number - its row in the table that goes with the map - and its name where
    the name fits without touching anything else (see :func:`power_map_layout`).
    """
    layout = power_map_layout(actors)
    height, px, py = layout["height"], layout["px"], layout["py"]
    left, top, right_edge, bottom_edge = layout["frame"]
    plot_w, plot_h = right_edge - left, bottom_edge - top

    parts_body = [f'<rect class="frame" x="{left}" y="{top}" width="{plot_w}" height="{plot_h}"/>']
    for p in range(-2, 3):
        parts_body.append(f'<line class="grid" x1="{_num(px(p))}" y1="{top}" x2="{_num(px(p))}" y2="{top + plot_h}"/>')
    for i in range(1, 6):
        parts_body.append(
            f'<line class="grid" x1="{left}" y1="{_num(py(i))}" x2="{left + plot_w}" y2="{_num(py(i))}"/>'
        )
    parts_body.append(f'<line class="quadrant" x1="{_num(px(0))}" y1="{top}" x2="{_num(px(0))}" y2="{top + plot_h}"/>')
    parts_body.append(
        f'<line class="quadrant" x1="{left}" y1="{_num(py(3))}" x2="{left + plot_w}" y2="{_num(py(3))}"/>'
    )
    below = top + plot_h + 18
    parts_body.append(_text(left, below, gettext("← Opposed"), cls="axis-label", anchor="start"))
    parts_body.append(_text(px(0), below, gettext("Neutral"), cls="axis-label", anchor="middle"))
    parts_body.append(_text(left + plot_w, below, gettext("Supportive →"), cls="axis-label", anchor="end"))
    side = 18
    parts_body.append(
        _text(
            side,
            top + plot_h,
            gettext("Low influence"),
            cls="axis-label",
            anchor="start",
            transform=f"rotate(-90 {side} {top + plot_h})",
        )
    )
    parts_body.append(
        _text(
            side,
            top,
            gettext("High influence →"),
            cls="axis-label",
            anchor="end",
            transform=f"rotate(-90 {side} {top})",
        )
    )

    legend_x = left
    for kind in ACTOR_KINDS:
        parts_body.append(f'<circle class="actor actor-{kind}" cx="{legend_x + 6}" cy="18" r="6"/>')
        parts_body.append(_text(legend_x + 16, 22, str(_KIND_WORDS[kind]), cls="legend"))
        legend_x += 100

    summary = []
    for item in layout["items"]:
        word = _POSITION_WORDS.get(round(item["position"]), _POSITION_WORDS[0])
        about = gettext(
            "%(number)s. %(name)s (%(kind)s): influence %(influence)s of 5, %(position)s",
            number=item["number"],
            name=item["name"],
            kind=str(_KIND_WORDS.get(item["kind"], item["kind"])).lower(),
            influence=format(item["influence"], "g"),
            position=word,
        )
        summary.append(about)
        x, y = item["x"], item["y"]
        label = item["label"]
        name = _text(label["x"], label["y"], label["text"], cls="actor-name", anchor=label["anchor"]) if label else ""
        parts_body.append(
            f'<g class="actor-item"><title>{escape(about)}</title>'
            f'<circle class="actor actor-{item["kind"]}" cx="{_num(x)}" cy="{_num(y)}" r="{_num(_MARKER_R)}"/>'
            + _text(x, y + 4, str(item["number"]), cls="actor-num", anchor="middle")
            + name
            + "</g>"
        )

    desc = "; ".join(summary) + "." if summary else gettext("No actors yet.")
    parts = _open(title, desc, height, chart_id, "power")
    parts.extend(parts_body)
    return _close(parts)
