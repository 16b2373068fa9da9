#!/usr/bin/env python3
"""Writes an SVG line plot of per-round values, standard library only.
usage: bench_plot.py OUT.svg TITLE "NAME: v1 v2 ..." ..."""
import sys
from xml.sax.saxutils import escape

out, title, series = sys.argv[1], sys.argv[2], []
for arg in sys.argv[3:]:
    name, _, vals = arg.rpartition(":")
    series.append((name, [float(v) for v in vals.split()]))
n = max(len(v) for _, v in series)
top = max(max(v) for _, v in series) * 1.1 or 1
W, H, L, R, T, B = 640, 360, 60, 170, 40, 50
pw, ph = W - L - R, H - T - B
colours = ["#555555", "#d95f02", "#1b9e77", "#7570b3"]


def x(i):
    return L + (pw * i / (n - 1) if n > 1 else pw / 2)


def y(v):
    return T + ph - ph * v / top


svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
       'font-family="sans-serif" font-size="12">' % (W, H),
       '<rect width="100%" height="100%" fill="white"/>',
       '<text x="%d" y="22" font-size="14">%s</text>' % (L, escape(title)),
       '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>'
       % (L, T + ph, L + pw, T + ph),
       '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>'
       % (L, T, L, T + ph)]
for k in range(5):
    v = top * k / 4
    svg.append('<text x="%d" y="%.1f" text-anchor="end">%.0f</text>'
               % (L - 6, y(v) + 4, v))
    svg.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#dddddd"/>'
               % (L, y(v), L + pw, y(v)))
for i in range(n):
    svg.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>'
               % (x(i), T + ph + 16, i + 1))
svg.append('<text x="%d" y="%d" text-anchor="middle">round</text>'
           % (L + pw / 2, H - 10))
svg.append('<text x="14" y="%d" transform="rotate(-90 14 %d)" '
           'text-anchor="middle">messages/s</text>' % (T + ph / 2, T + ph / 2))
for s, (name, vals) in enumerate(series):
    c = colours[s % len(colours)]
    pts = " ".join("%.1f,%.1f" % (x(i), y(v)) for i, v in enumerate(vals))
    svg.append('<polyline fill="none" stroke="%s" stroke-width="2" '
               'points="%s"/>' % (c, pts))
    for i, v in enumerate(vals):
        svg.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>'
                   % (x(i), y(v), c))
    ly = T + 10 + 20 * s
    svg.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" '
               'stroke-width="2"/>' % (L + pw + 15, ly, L + pw + 35, ly, c))
    svg.append('<text x="%d" y="%d">%s</text>'
               % (L + pw + 40, ly + 4, escape(name)))
svg.append("</svg>")
with open(out, "w") as f:
    f.write("\n".join(svg) + "\n")
