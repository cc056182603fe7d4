"""Draw the Teams app icons: a minutes document with a check mark.

    python manifest/draw_icons.py        # rewrites manifest/color.png and manifest/outline.png

- color.png: 192x192, opaque RGB. A green field (Teams crops it to a rounded square) with a
  white sheet carrying text lines and a check mark, kept inside the central area that Teams
  leaves uncropped.
- outline.png: 32x32 RGBA, white on a fully transparent background: every pixel is white
  with some alpha, or fully transparent (what Teams requires of the outline icon).

Shapes are drawn at 8x and scaled down, for smooth edges. The outline's edges are smoothed
in the alpha channel only, so the colour stays pure white. Pillow is needed only here (and
in the tests), not by the bot at run time.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SCALE = 8

GREEN = (31, 110, 67)        # the field; also the manifest's accentColor (#1F6E43)
LIGHT_GREEN = (142, 196, 120)  # the check mark
SHEET = (255, 255, 255)
TEXT_LINE = (196, 214, 202)


def _s(*values: float) -> list[int]:
    return [round(v * SCALE) for v in values]


def _sheet(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], fold: float,
           fill, outline=None, width: float = 0) -> list[tuple[int, int]]:
    """A sheet of paper with its top-right corner cut off; returns the fold triangle."""
    x0, y0, x1, y1 = box
    points = [(x0, y0), (x1 - fold, y0), (x1, y0 + fold), (x1, y1), (x0, y1)]
    scaled = [tuple(_s(x, y)) for x, y in points]
    if outline is None:
        draw.polygon(scaled, fill=fill)
    else:
        draw.line(scaled + [scaled[0], scaled[1]], fill=outline, width=round(width * SCALE),
                  joint="curve")
    # the fold: a small triangle
    fold_pts = [(x1 - fold, y0), (x1 - fold, y0 + fold), (x1, y0 + fold)]
    return [tuple(_s(x, y)) for x, y in fold_pts]


def draw_color(size: int = 192) -> Image.Image:
    big = size * SCALE
    img = Image.new("RGB", (big, big), GREEN)
    d = ImageDraw.Draw(img)
    u = size / 192  # unit: the design is laid out on a 192 grid
    # the sheet, inside the central ~120px that Teams never crops
    x0, y0, x1, y1, fold = 52 * u, 38 * u, 132 * u, 148 * u, 22 * u
    fold_pts = _sheet(d, (x0, y0, x1, y1), fold, SHEET)
    d.polygon(fold_pts, fill=TEXT_LINE)
    # text lines
    for i, length in enumerate((48, 58, 58, 40)):
        y = (66 + i * 14) * u
        d.rounded_rectangle(_s(64 * u, y, (64 + length) * u, y + 6 * u), radius=3 * u * SCALE,
                            fill=TEXT_LINE)
    # a check mark in a disc at the lower right, overlapping the sheet's edge
    cx, cy, r = 134 * u, 134 * u, 28 * u
    d.ellipse(_s(cx - r - 5 * u, cy - r - 5 * u, cx + r + 5 * u, cy + r + 5 * u), fill=GREEN)
    d.ellipse(_s(cx - r, cy - r, cx + r, cy + r), fill=LIGHT_GREEN)
    check = [(cx - 14 * u, cy + 1 * u), (cx - 4 * u, cy + 11 * u), (cx + 15 * u, cy - 10 * u)]
    d.line([tuple(_s(x, y)) for x, y in check], fill=SHEET, width=round(8 * u * SCALE),
           joint="curve")
    for x, y in (check[0], check[2]):  # round the stroke's ends
        rr = 4 * u
        d.ellipse(_s(x - rr, y - rr, x + rr, y + rr), fill=SHEET)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def draw_outline(size: int = 32) -> Image.Image:
    big = size * SCALE
    mask = Image.new("L", (big, big), 0)
    d = ImageDraw.Draw(mask)
    u = size / 32
    # the sheet's outline
    x0, y0, x1, y1, fold = 6 * u, 3 * u, 24 * u, 29 * u, 6 * u
    fold_pts = _sheet(d, (x0, y0, x1, y1), fold, None, outline=255, width=2 * u)
    d.line(fold_pts + [fold_pts[0]], fill=255, width=round(2 * u * SCALE), joint="curve")
    # two text lines
    for y, length in ((11 * u, 8 * u), (15.5 * u, 11 * u)):
        d.rectangle(_s(10 * u, y, 10 * u + length, y + 2 * u), fill=255)
    # the check mark, cut free of the sheet's outline by a transparent gap
    check = [(14 * u, 22 * u), (18 * u, 26 * u), (28 * u, 15 * u)]
    d.line([tuple(_s(x, y)) for x, y in check], fill=0, width=round(7 * u * SCALE),
           joint="curve")
    d.line([tuple(_s(x, y)) for x, y in check], fill=255, width=round(3 * u * SCALE),
           joint="curve")
    alpha = mask.resize((size, size), Image.Resampling.LANCZOS)
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    img.putalpha(alpha)
    return img


def write_icons(folder: Path = HERE) -> tuple[Path, Path]:
    color, outline = folder / "color.png", folder / "outline.png"
    draw_color().save(color, optimize=True)
    draw_outline().save(outline, optimize=True)
    return color, outline


if __name__ == "__main__":
    for path in write_icons(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
