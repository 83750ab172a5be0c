"""Inline SVG charts and the page around them (no scripts, fonts or downloads).

Every chart is a ``<figure class="chart">`` holding one ``<svg>``: bars are ``rect.bar``,
points ``circle.point``, lines ``polyline.line``, target marks ``line.target``. No data gives
a ``div.nodata`` panel instead, saying so in Vietnamese and English. The geometry is computed
here; the markup is in ``chiso/templates`` (``bar.svg.j2``, ``line.svg.j2``, ``bullet.svg.j2``,
``page.html.j2``), rendered with autoescape by :mod:`chiso.pages`.
"""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup

from chiso import pages

PALETTE = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037")
STATUS_COLOURS = {
    "met": "#2e7d32",
    "on track": "#1565c0",
    "off track": "#c62828",
    "no data": "#9e9e9e",
}
NO_DATA = "Chưa có dữ liệu / No data"
WIDTH = 760


def page(title: str, body: Markup) -> Markup:
    """A whole, self-contained HTML document (inline CSS only); ``body`` is rendered markup
    (a plain string would be escaped: shown as text)."""
    return pages.render("page.html.j2", title=title, body=body)


def empty_panel(title: str, note: str = "") -> Markup:
    return pages.render("empty.html.j2", title=title, note=note, no_data=NO_DATA)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def nice_ticks(lo: float, hi: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering [lo, hi] (whole numbers only with ``integer``)."""
    if hi <= lo:
        hi = lo + 1
    step = 10 ** math.floor(math.log10((hi - lo) / count))
    for mult in (1, 2, 2.5, 5, 10):
        if (hi - lo) / (step * mult) <= count:
            step *= mult
            break
    if integer:
        step = max(1, math.ceil(step))
    start = math.floor(lo / step) * step
    ticks, v = [], start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def fmt(value: float) -> str:
    if value == int(value) and abs(value) < 1e12:
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def bar_chart(
    title: str,
    items: list[tuple[str, float]],
    max_value: float | None = None,
    unit: str = "",
    colour: str = PALETTE[0],
    integer: bool = False,
) -> Markup:
    """Horizontal bars, one per (label, value), with an x axis and the value at each bar;
    ``max_value`` draws a dashed line (the maximum); ``integer`` keeps ticks whole (counts)."""
    items = [(str(label), float(v)) for label, v in items if v is not None]
    if not items:
        return empty_panel(title)
    left, right, top, row = 250, 70, 10, 24
    height = top + row * len(items) + 34
    lo = min(0.0, *(v for _, v in items))
    ticks = nice_ticks(lo, max(max_value or 0, *(v for _, v in items), lo + 1), integer=integer)
    span = ticks[-1] - ticks[0]

    def x(v: float) -> float:
        return left + (v - ticks[0]) / span * (WIDTH - left - right)

    bars = []
    for i, (label, v) in enumerate(items):
        x0, x1 = sorted((x(0), x(v)))
        bars.append(
            {
                "label": label,
                "short": _cut(label, 40),
                "y": top + i * row,
                "x": x0,
                "width": max(x1 - x0, 1),
                "end": x1,
                "value": fmt(v),
            }
        )
    return pages.render(
        "bar.svg.j2",
        title=title,
        width=WIDTH,
        height=height,
        top=top,
        left=left,
        row=row,
        axis_y=height - 30,
        right_x=WIDTH - right,
        ticks=[(x(t), fmt(t)) for t in ticks],
        bars=bars,
        colour=colour,
        unit=unit,
        max_x=None if max_value is None else x(max_value),
        zero_x=x(0),
    )


def line_chart(
    title: str,
    series: dict[str, list[tuple[int, float]]],
    invert: bool = False,
    y_label: str = "",
    width: int = WIDTH,
    height: int = 260,
) -> Markup:
    """Lines over years (x categorical), a point and its value at each year; ``invert`` puts
    the smallest value on top (ranks: 1 is best)."""
    series = {
        k: sorted((int(x), float(y)) for x, y in pts if y is not None) for k, pts in series.items()
    }
    series = {k: v for k, v in series.items() if v}
    if not series:
        return empty_panel(title)
    years = sorted({x for pts in series.values() for x, _ in pts})
    values = [y for pts in series.values() for _, y in pts]
    if invert:  # a rank axis: a little room above the best and below the worst
        ticks = nice_ticks(max(0.0, min(values) - 1), max(values) + 1, integer=True)
    else:
        ticks = nice_ticks(min(0.0, *values), max(values))
    left, right, top, bottom = 56, 20, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    span = ticks[-1] - ticks[0]

    def px(year: int) -> float:
        i = years.index(year)
        return left + (plot_w / 2 if len(years) == 1 else i * plot_w / (len(years) - 1))

    def py(v: float) -> float:
        frac = (v - ticks[0]) / span
        return top + (frac if invert else 1 - frac) * plot_h

    drawn: list[dict[str, Any]] = []
    for i, (name, pts) in enumerate(series.items()):
        drawn.append(
            {
                "name": name,
                "short": _cut(name, 24),
                "colour": PALETTE[i % len(PALETTE)],
                "points": " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts),
                "marks": [{"x": px(x), "y": py(y), "year": x, "value": fmt(y)} for x, y in pts],
                "legend_x": left + (i % 4) * (plot_w / 4),
                "legend_y": height - 22 + (i // 4) * 14,
            }
        )
    return pages.render(
        "line.svg.j2",
        title=title,
        width=width,
        svg_height=height + 14 * ((len(series) - 1) // 4),
        left=left,
        top=top,
        right_x=width - right,
        bottom_y=top + plot_h,
        middle_y=top + plot_h / 2,
        ticks=[(py(t), fmt(t)) for t in ticks],
        years=[(px(yr), str(yr)) for yr in years],
        y_label=y_label,
        series=drawn,
    )


_LEGEND = (
    ("met", "đạt / met"),
    ("on track", "đúng hướng / on track"),
    ("off track", "chệch hướng / off track"),
    ("no data", "chưa có / no data"),
)


def bullet_chart(title: str, rows: list[dict[str, Any]]) -> Markup:
    """One row per target: a bar for the actual (coloured by status) and a mark at the target,
    each row on its own scale (units differ). Row keys: label, actual, target, unit, status,
    operator."""
    if not rows:
        return empty_panel(title)
    left, right, top, row = 330, 230, 8, 30
    height = top + row * len(rows) + 24
    bar_w = WIDTH + 140 - left - right
    drawn = []
    for i, r in enumerate(rows):
        actual, target = r.get("actual"), r.get("target")
        scale = max(abs(actual or 0), abs(target or 0), 1e-9) * 1.15
        status = r.get("status")
        label = str(r.get("label") or "")
        unit = {"percent": "%"}.get(r.get("unit") or "", f" {r.get('unit') or ''}".rstrip())
        got = "—" if actual is None else fmt(actual)
        want = "—" if target is None else f"{r.get('operator') or ''} {fmt(target)}".strip()
        drawn.append(
            {
                "y": top + i * row,
                "label": label,
                "short": _cut(label, 52),
                "colour": STATUS_COLOURS.get(status or "", "#9e9e9e"),
                "actual": got,
                "actual_width": None if actual is None else max(abs(actual) / scale * bar_w, 1),
                "target_x": None if target is None else left + abs(target) / scale * bar_w,
                "note": f"{got} / {want}{unit} · {status}",
            }
        )
    return pages.render(
        "bullet.svg.j2",
        title=title,
        width=WIDTH + 140,
        height=height,
        left=left,
        bar_width=bar_w,
        rows=drawn,
        legend=[(20 + i * 175, STATUS_COLOURS[key], text) for i, (key, text) in enumerate(_LEGEND)],
    )
