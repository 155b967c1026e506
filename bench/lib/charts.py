"""Hand-written SVG charts for the bench report (no plotting library to
install): per route, requests/s (left) and p99 latency (right) against
connections, one line per series (the service, the replay of its captured
SQL, the fewest-statements replay)."""
from xml.sax.saxutils import escape

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
W, H = 360, 240          # one panel
ML, MR, MT, MB = 60, 15, 30, 45


def nice_max(v):
    """A round axis maximum at or above v."""
    if v <= 0:
        return 1.0
    mag = 10 ** (len(str(int(v))) - 1)
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * mag >= v:
            return step * mag
    return 10 * mag


def panel(x0, title, unit, concs, series):
    """SVG elements of one panel at horizontal offset x0.
    series: [(label, {conc: value})]."""
    out = []
    pw, ph = W - ML - MR, H - MT - MB
    ymax = nice_max(max([v for _, pts in series for v in pts.values()] + [0]))
    xs = {c: x0 + ML + (i * pw / max(1, len(concs) - 1) if len(concs) > 1 else pw / 2)
          for i, c in enumerate(concs)}

    def y(v):
        return MT + ph - v / ymax * ph
    out.append(f'<text x="{x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">{escape(title)}</text>')
    for i in range(5):
        v = ymax * i / 4
        out.append(f'<line x1="{x0 + ML}" x2="{x0 + ML + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        label = f"{v:.0f}" if ymax >= 10 else f"{v:.2g}"
        out.append(f'<text x="{x0 + ML - 5}" y="{y(v) + 4:.1f}" text-anchor="end">{label}</text>')
    for c, x in xs.items():
        out.append(f'<text x="{x:.1f}" y="{MT + ph + 16}" text-anchor="middle">{c}</text>')
    out.append(f'<text x="{x0 + ML + pw / 2}" y="{H - 8}" text-anchor="middle">connections</text>')
    out.append(f'<text x="{x0 + 14}" y="{MT + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 {x0 + 14} {MT + ph / 2})">{escape(unit)}</text>')
    for k, (label, pts) in enumerate(series):
        color = COLORS[k % len(COLORS)]
        coords = [(xs[c], y(pts[c])) for c in concs if c in pts]
        if len(coords) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in coords)
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for px, py in coords:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>')
    return out


def route_chart(path, title, concs, series):
    """Writes one SVG: series [(label, {conc: rps}, {conc: p99 ms})]."""
    legend_h = 18 * len(series) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + legend_h + 26}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{W}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{escape(title)}</text>',
           '<g transform="translate(0, 24)">']
    out += panel(0, "requests/s", "per second", concs, [(lab, r) for lab, r, _ in series])
    out += panel(W, "p99 latency", "ms", concs, [(lab, p) for lab, _, p in series])
    for k, (label, _, _) in enumerate(series):
        yy = H + 8 + 18 * k
        out.append(f'<rect x="{ML}" y="{yy}" width="14" height="4" fill="{COLORS[k % len(COLORS)]}"/>')
        out.append(f'<text x="{ML + 20}" y="{yy + 6}">{escape(label)}</text>')
    out.append("</g>")
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
