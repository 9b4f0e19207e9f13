"""Server-side SVG charts: well-formed, CSP-safe, accessible, escaped, suppression-aware."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from markupsafe import Markup

from caseflow.charts import bar_chart, line_chart, paired_bar_chart, power_map, trend_chart

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: Markup) -> ET.Element:
    assert isinstance(svg, Markup)
    text = str(svg)
    assert "style=" not in text
    assert "<style" not in text
    assert "<script" not in text.lower()
    assert "javascript:" not in text.lower()
    root = ET.fromstring(text)  # noqa: S314 - our own output, parsed to prove it is well-formed
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "chart" in root.get("class").split()
    assert root.get("role") == "img"
    assert root.get("viewBox")
    assert root.get("width") is None and root.get("height") is None
    title = root.find("s:title", NS)
    assert title is not None and title.get("id") == root.get("aria-labelledby")
    desc = root.find("s:desc", NS)
    assert desc is not None and desc.get("id") == root.get("aria-describedby")
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if "bar" in (r.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def own_text(el: ET.Element) -> str:
    """A <text>'s visible words, leaving out any <title> tooltip inside it."""
    return (el.text or "") + "".join(child.tail or "" for child in el)


def test_bar_chart_basics():
    items = [("Housing", 120), ("Benefits", 45), ("<b>&", 30), ("Small", None)]
    svg = bar_chart(items, "Concerns by tag", flagged={"Benefits"})
    root = parse(svg)
    assert root.find("s:title", NS).text == "Concerns by tag"
    assert len(bars(root)) == 3  # one per shown value; none for the suppressed one
    classes = [b.get("class") for b in bars(root)]
    assert classes == ["bar", "bar flag", "bar"]
    words = texts(root)
    assert "<b>&" in words  # the label survives as text...
    assert "<b>" not in str(svg)  # ...because it was escaped
    assert "&lt;b&gt;&amp;" in str(svg)
    assert "<11" in words
    assert "120" in words and "45 (flagged)" in words
    # The longest bar belongs to the largest value.
    widths = [float(b.get("width")) for b in bars(root)]
    assert widths[0] == max(widths)
    assert "Small: <11" in root.find("s:desc", NS).text


def test_bar_chart_ids_are_unique_and_can_be_given():
    a = parse(bar_chart([("A", 1)], "A"))
    b = parse(bar_chart([("A", 1)], "A"))
    assert a.get("aria-labelledby") != b.get("aria-labelledby")
    c = parse(bar_chart([("A", 1)], "A", chart_id="tags"))
    assert c.get("aria-labelledby") == "tags-title"
    with pytest.raises(ValueError):
        bar_chart([("A", 1)], "A", chart_id='x" onload="alert(1)')


def test_bar_chart_edge_cases():
    root = parse(bar_chart([], "Empty"))
    assert "No data" in texts(root)
    root = parse(bar_chart([("All suppressed", None), ("Zero", 0)], "Nothing to scale"))
    assert len(bars(root)) == 1 and float(bars(root)[0].get("width")) == 0
    root = parse(bar_chart([("Decimal", Decimal("12.5"))], "Decimals", value_format="{:.1f}"))
    assert "12.5" in texts(root)
    long = "A very long label that goes on and on past the label column"
    root = parse(bar_chart([(long, 5)], "Long"))
    assert any(own_text(t).endswith("…") for t in root.iter("{http://www.w3.org/2000/svg}text"))
    tooltips = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert long in tooltips  # kept whole in the tooltip


def test_paired_bar_chart():
    items = [("Black", 0.5, 0.25), ("White", 0.3, 0.45), ("Asian <&>", None, 0.05), ("Other", 0.2, None)]
    root = parse(paired_bar_chart(items, "Share by race", flagged={"Black"}))
    assert len(bars(root)) == 6  # two per group, minus the two suppressed
    assert [b.get("class") for b in bars(root)][:2] == ["bar flag", "bar alt"]
    words = texts(root)
    assert "In this pattern" in words and "All concerns" in words
    assert "50% (flagged)" in words and "25%" in words
    assert words.count("<11") == 2
    assert "Asian <&>" in words
    swatches = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if "swatch" in r.get("class")]
    assert len(swatches) == 3  # two series and the flag


def test_line_chart():
    points = [("2024-01-01", 12), ("2024-01-08", None), ("2024-01-15", 30), ("2024-01-22", 25), ("2024-01-29", 0)]
    root = parse(line_chart(points, "Concerns per week", y_label="Concerns"))
    dots = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert len(dots) == 4
    lines = list(root.iter("{http://www.w3.org/2000/svg}polyline"))
    assert len(lines) == 1  # the lone first point is a dot; the gap breaks the line
    assert len(lines[0].get("points").split()) == 3
    words = texts(root)
    assert "<11" in words
    assert "Concerns" in words
    assert {"2024-01-01", "2024-01-15", "2024-01-29"} <= set(words)
    assert "2024-01-08" not in words  # only first, middle and last x labels
    grid = [ln for ln in root.iter("{http://www.w3.org/2000/svg}line") if ln.get("class") == "grid"]
    assert len(grid) >= 3
    # Higher values sit higher up (smaller y).
    ys = {float(d.get("cy")) for d in dots}
    top_dot = min(dots, key=lambda d: float(d.get("cy")))
    assert "30" in "".join(top_dot.itertext()) and len(ys) == 4


def test_line_chart_single_point_and_empty():
    root = parse(line_chart([("Only week", 40)], "One"))
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) == 1
    assert "No data" in texts(parse(line_chart([], "None")))


def test_trend_chart_fixed_scale():
    series = [("Q1", 2.5), ("Q2", 3.0), ("Q3", None), ("Q4", 4.5)]
    root = parse(trend_chart(series, "Self-assessment <trend>", y_max=5))
    assert root.find("s:title", NS).text == "Self-assessment <trend>"
    ticks = [own_text(t) for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "tick"]
    assert "5" in ticks and "0" in ticks
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) == 3


def actor_circles(root: ET.Element) -> dict[str, ET.Element]:
    """Each actor's marker by name (the group's tooltip reads "N. Name (kind): …")."""
    out = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        circle = g.find("s:circle", NS)
        name = g.find("s:title", NS).text.split(". ", 1)[1].rsplit(" (", 1)[0]
        out[name] = circle
    return out


def test_power_map_quadrants():
    actors = [
        {"name": "Mayor", "influence": 5, "position": -2, "kind": "opponent"},
        {"name": "Council <ally>", "influence": 4, "position": 2, "kind": "ally"},
        {"name": "Agency head", "influence": 5, "position": 0, "kind": "target"},
        {"name": "Residents", "influence": 1, "position": 1, "kind": "neutral"},
        {"name": "Odd", "influence": "x", "position": 9, "kind": "weird"},
    ]
    root = parse(power_map(actors, "Who decides"))
    quadrant = [ln for ln in root.iter("{http://www.w3.org/2000/svg}line") if ln.get("class") == "quadrant"]
    mid_x = next(float(ln.get("x1")) for ln in quadrant if ln.get("x1") == ln.get("x2"))
    mid_y = next(float(ln.get("y1")) for ln in quadrant if ln.get("y1") == ln.get("y2"))
    circles = actor_circles(root)
    assert set(circles) == {"Mayor", "Council <ally>", "Agency head", "Residents", "Odd"}
    mayor = circles["Mayor"]
    assert float(mayor.get("cx")) < mid_x and float(mayor.get("cy")) < mid_y  # upper left
    council = circles["Council <ally>"]
    assert float(council.get("cx")) > mid_x and float(council.get("cy")) < mid_y  # upper right
    residents = circles["Residents"]
    assert float(residents.get("cx")) > mid_x and float(residents.get("cy")) > mid_y  # lower right
    assert "actor-opponent" in mayor.get("class").split()
    assert "actor-target" in circles["Agency head"].get("class").split()
    assert "actor-neutral" in circles["Odd"].get("class").split()  # unknown kinds fall back
    assert "Mayor (opponent): influence 5 of 5, strongly opposed" in root.find("s:desc", NS).text


def test_power_map_spreads_actors_in_the_same_spot():
    actors = [{"name": f"A{n}", "influence": 4, "position": -1, "kind": "opponent"} for n in range(3)]
    circles = actor_circles(parse(power_map(actors, "Crowd")))
    spots = {(c.get("cx"), c.get("cy")) for c in circles.values()}
    assert len(spots) == 3
    assert "No actors yet." in str(power_map([], "Nobody"))


CROWD = [
    # Twelve actors, five of them on one grid point, three on the dashed quadrant lines, long names.
    *(
        {"name": f"Desk {n} of the borough housing office", "influence": 4, "position": -1, "kind": "opponent"}
        for n in range(5)
    ),
    {"name": "Chief administrative judge", "influence": 3, "position": 0, "kind": "target"},
    {"name": "Council housing committee chair", "influence": 3, "position": 1, "kind": "target"},
    {"name": "Tenants' union", "influence": 3, "position": 2, "kind": "ally"},
    {"name": "Legal aid society", "influence": 4, "position": 2, "kind": "ally"},
    {"name": "Landlords' association of Brooklyn", "influence": 5, "position": -2, "kind": "opponent"},
    {"name": "Local newspaper", "influence": 2, "position": 0, "kind": "neutral"},
    {"name": "Faith leaders", "influence": 2, "position": 1, "kind": "ally"},
]


def _boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_power_map_labels_never_collide_on_a_crowded_map():
    """Issue 13: labels overlapped each other and the dashed axis. Every name placed on a crowded map
    sits inside the plot and touches no other name, no marker and no quadrant line."""
    from caseflow.charts import power_map_layout

    layout = power_map_layout(CROWD)
    items = layout["items"]
    labels = [i["label"]["box"] for i in items if i["label"]]
    markers = [i["marker"] for i in items]
    assert len(labels) >= 8, "most names fit; the rest are told by their number"
    for n, box in enumerate(labels):
        frame = layout["frame"]
        assert frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
        for other in labels[n + 1 :]:
            assert not _boxes_overlap(box, other), (box, other)
        for marker in markers:
            assert not _boxes_overlap(box, marker), (box, marker)
        for line in layout["lines"]:
            assert not _boxes_overlap(box, line), (box, line)
    for n, marker in enumerate(markers):  # markers sharing a grid point are spread apart
        for other in markers[n + 1 :]:
            assert not _boxes_overlap(marker, other), (marker, other)


def test_power_map_numbers_each_marker_for_the_key():
    root = parse(power_map(CROWD, "Crowded"))
    numbers = [own_text(t) for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "actor-num"]
    assert numbers == [str(n) for n in range(1, len(CROWD) + 1)]
    names = [own_text(t) for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "actor-name"]
    assert len(names) == len(set(names)) >= 8  # each name drawn at most once
    assert "6. Chief administrative judge (target): influence 3 of 5, neutral" in root.find("s:desc", NS).text
