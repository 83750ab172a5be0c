"""Hand-written inline SVG charts and the page around them (no scripts, fonts or downloads).

Every chart is a ``<figure class="chart">`` holding one ``<svg>``: bars are ``rect.bar``,
points ``circle.point``, lines ``polyline.line``, target marks ``line.target``. No data gives
a ``div.nodata`` panel instead, saying so in Vietnamese and English.
"""

from __future__ import annotations

import math
from html import escape

FONT = "system-ui, 'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
PALETTE = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037")
STATUS_COLOURS = {
    "met": "#2e7d32",
    "on track": "#1565c0",
    "off track": "#c62828",
    "no data": "#9e9e9e",
}
NO_DATA = "Chưa có dữ liệu / No data"
WIDTH = 760

CSS = f"""
body {{ font-family: {FONT}; margin: 24px auto; max-width: 1100px; color: #212121;
       background: #fff; padding: 0 16px; }}
h1 {{ font-size: 22px; margin-bottom: 4px; }} h2 {{ font-size: 18px; margin-top: 28px;
border-bottom: 2px solid #1565c0; padding-bottom: 4px; }} h3 {{ font-size: 15px; }}
table {{ border-collapse: collapse; margin: 8px 0; font-size: 13px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #e3f2fd; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.bad td {{ background: #ffebee; }} tr.warn td {{ background: #fff8e1; }}
tr.ok td {{ background: #f1f8e9; }} .meta {{ color: #555; font-size: 13px; }}
figure.chart {{ margin: 12px 0 20px; }} figcaption {{ font-weight: 600; margin-bottom: 4px; }}
svg {{ max-width: 100%; height: auto; font-family: {FONT}; }}
.nodata {{ border: 2px dashed #bbb; color: #666; padding: 24px; text-align: center;
          margin: 12px 0 20px; border-radius: 6px; background: #fafafa; }}
.grid {{ display: flex; flex-wrap: wrap; gap: 12px; }} .grid figure {{ flex: 1 1 340px; }}
.empty {{ color: #666; font-style: italic; }}
"""


def page(title: str, body: str) -> str:
    """A whole, self-contained HTML document (inline CSS only)."""
    return (
        f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def empty_panel(title: str, note: str = "") -> str:
    extra = f"<br><small>{escape(note)}</small>" if note else ""
    return (
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
        f'<div class="nodata">{NO_DATA}{extra}</div></figure>'
    )


def _figure(title: str, svg: str) -> str:
    return f'<figure class="chart"><figcaption>{escape(title)}</figcaption>{svg}</figure>'


def _svg(width: int, height: int, inner: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        + "".join(inner)
        + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    anchor: str = "start",
    size: int = 11,
    cls: str = "label",
    fill: str = "#333",
) -> str:
    return (
        f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}">{escape(text)}</text>'
    )


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
) -> str:
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
    x = lambda v: left + (v - ticks[0]) / span * (WIDTH - left - right)  # noqa: E731
    out = []
    for t in ticks:
        out.append(
            f'<line class="gridline" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" '
            f'y2="{height - 30}" stroke="#e0e0e0"/>'
        )
        out.append(_text(x(t), height - 16, fmt(t), "middle", 10, "tick"))
    for i, (label, v) in enumerate(items):
        y = top + i * row
        x0, x1 = sorted((x(0), x(v)))
        out.append(_text(left - 8, y + 16, _cut(label, 40), "end"))
        out.append(
            f'<rect class="bar" x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{row - 8}" fill="{colour}"><title>{escape(label)}: {fmt(v)}'
            f"{escape(unit)}</title></rect>"
        )
        out.append(_text(x1 + 4, y + 16, fmt(v) + unit, size=10, cls="value"))
    if max_value is not None:
        out.append(
            f'<line class="target" x1="{x(max_value):.1f}" x2="{x(max_value):.1f}" '
            f'y1="{top}" y2="{height - 30}" stroke="#424242" stroke-dasharray="4 3"/>'
        )
    out.append(
        f'<line class="axis" x1="{left}" x2="{WIDTH - right}" y1="{height - 30}" '
        f'y2="{height - 30}" stroke="#555"/>'
    )
    out.append(
        f'<line class="axis" x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top}" '
        f'y2="{height - 30}" stroke="#555"/>'
    )
    return _figure(title, _svg(WIDTH, height, out, title))


def line_chart(
    title: str,
    series: dict[str, list[tuple[int, float]]],
    invert: bool = False,
    y_label: str = "",
    width: int = WIDTH,
    height: int = 260,
) -> str:
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

    out = []
    for t in ticks:
        out.append(
            f'<line class="gridline" x1="{left}" x2="{width - right}" y1="{py(t):.1f}" '
            f'y2="{py(t):.1f}" stroke="#e0e0e0"/>'
        )
        out.append(_text(left - 6, py(t) + 4, fmt(t), "end", 10, "tick"))
    for yr in years:
        out.append(_text(px(yr), top + plot_h + 16, str(yr), "middle", 10, "tick"))
    out.append(
        f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" '
        f'stroke="#555"/><line class="axis" x1="{left}" x2="{width - right}" '
        f'y1="{top + plot_h}" y2="{top + plot_h}" stroke="#555"/>'
    )
    if y_label:
        out.append(
            f'<text class="axis-label" font-size="10" fill="#555" '
            f'transform="translate(12 {top + plot_h / 2:.0f}) rotate(-90)" '
            f'text-anchor="middle">{escape(y_label)}</text>'
        )
    for i, (name, pts) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(
            f'<polyline class="line" points="{coords}" fill="none" stroke="{colour}" '
            f'stroke-width="2"/>'
        )
        for x, y in pts:
            out.append(
                f'<circle class="point" cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" '
                f'fill="{colour}"><title>{escape(name)} {x}: {fmt(y)}</title></circle>'
            )
            out.append(_text(px(x) + 6, py(y) - 6, fmt(y), size=10, cls="value", fill=colour))
        lx = left + (i % 4) * (plot_w / 4)
        ly = height - 22 + (i // 4) * 14
        out.append(
            f'<rect class="legend" x="{lx:.1f}" y="{ly - 8}" width="10" height="10" '
            f'fill="{colour}"/>'
        )
        out.append(_text(lx + 14, ly + 1, _cut(name, 24), size=10))
    return _figure(title, _svg(width, height + 14 * ((len(series) - 1) // 4), out, title))


def bullet_chart(title: str, rows: list[dict]) -> str:
    """One row per target: a bar for the actual (coloured by status) and a mark at the target,
    each row on its own scale (units differ). Row keys: label, actual, target, unit, status,
    operator."""
    if not rows:
        return empty_panel(title)
    left, right, top, row = 330, 230, 8, 30
    height = top + row * len(rows) + 24
    bar_w = WIDTH + 140 - left - right
    out = []
    for i, r in enumerate(rows):
        y = top + i * row
        actual, target = r.get("actual"), r.get("target")
        scale = max(abs(actual or 0), abs(target or 0), 1e-9) * 1.15
        colour = STATUS_COLOURS.get(r.get("status"), "#9e9e9e")
        label = str(r.get("label") or "")
        out.append(
            f'<text class="label" x="{left - 8}" y="{y + 19}" font-size="11" fill="#333" '
            f'text-anchor="end"><title>{escape(label)}</title>{escape(_cut(label, 52))}'
            f"</text>"
        )
        out.append(
            f'<rect class="track" x="{left}" y="{y + 6}" width="{bar_w}" height="16" '
            f'fill="#eeeeee"/>'
        )
        if actual is not None:
            out.append(
                f'<rect class="bar" x="{left}" y="{y + 8}" '
                f'width="{max(abs(actual) / scale * bar_w, 1):.1f}" height="12" '
                f'fill="{colour}"><title>{escape(label)}: {fmt(actual)}</title></rect>'
            )
        if target is not None:
            tx = left + abs(target) / scale * bar_w
            out.append(
                f'<line class="target" x1="{tx:.1f}" x2="{tx:.1f}" y1="{y + 3}" '
                f'y2="{y + 25}" stroke="#212121" stroke-width="3"/>'
            )
        unit = {"percent": "%"}.get(r.get("unit") or "", f" {r.get('unit') or ''}".rstrip())
        got = "—" if actual is None else fmt(actual)
        want = "—" if target is None else f"{r.get('operator') or ''} {fmt(target)}".strip()
        out.append(
            _text(
                left + bar_w + 8,
                y + 18,
                f"{got} / {want}{unit} · {r.get('status')}",
                size=10,
                cls="value",
                fill=colour,
            )
        )
    legend = [
        ("met", "đạt / met"),
        ("on track", "đúng hướng / on track"),
        ("off track", "chệch hướng / off track"),
        ("no data", "chưa có / no data"),
    ]
    for i, (key, text) in enumerate(legend):
        lx = 20 + i * 175
        out.append(
            f'<rect class="legend" x="{lx}" y="{height - 14}" width="10" height="10" '
            f'fill="{STATUS_COLOURS[key]}"/>'
        )
        out.append(_text(lx + 14, height - 5, text, size=10))
    return _figure(title, _svg(WIDTH + 140, height, out, title))
