"""Draw the demo shop's product pictures: knowledge/images/<id>.png, one per product, and point the
catalog's image column at them. A real shop puts its own photos there (or full URLs in the column).

    .venv/bin/python scripts/product_images.py

Each picture is the product's first colour behind a plain white outline of its kind of product (a
tent, a pack, a boot...), 240x180, drawn here pixel by pixel and written as PNG with zlib: no image
library, a few hundred bytes a picture.
"""

from __future__ import annotations

import csv
import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
WIDTH, HEIGHT = 240, 180
COLOURS = {
    "black": (48, 48, 52),
    "white": (215, 215, 210),
    "grey": (128, 132, 138),
    "red": (190, 58, 52),
    "blue": (52, 104, 180),
    "navy": (34, 50, 92),
    "green": (58, 126, 76),
    "olive": (110, 112, 58),
    "khaki": (170, 152, 110),
    "brown": (120, 80, 50),
    "yellow": (222, 184, 48),
    "orange": (226, 122, 44),
    "pink": (222, 120, 160),
}
WHITE = (250, 250, 246)

Shape = Callable[[float, float], bool]  # x, y in 0..1 -> inside the outline


def tent(x: float, y: float) -> bool:
    return 0.25 <= y <= 0.8 and abs(x - 0.5) <= (y - 0.25) * 0.75


def pack(x: float, y: float) -> bool:
    body = 0.33 <= x <= 0.67 and 0.25 <= y <= 0.82
    handle = 0.43 <= x <= 0.57 and 0.17 <= y <= 0.25 and not (0.46 <= x <= 0.54 and y >= 0.2)
    return body or handle


def boot(x: float, y: float) -> bool:
    return (0.35 <= x <= 0.52 and 0.22 <= y <= 0.75) or (0.35 <= x <= 0.72 and 0.6 <= y <= 0.75)


def garment(x: float, y: float) -> bool:
    body = 0.36 <= x <= 0.64 and 0.25 <= y <= 0.8
    sleeves = 0.22 <= x <= 0.78 and 0.25 <= y <= 0.45
    return (body or sleeves) and not (abs(x - 0.5) < 0.06 and y < 0.3)


def legs(x: float, y: float) -> bool:
    return 0.36 <= x <= 0.64 and 0.22 <= y <= 0.82 and not (abs(x - 0.5) < 0.03 and y > 0.42)


def round_thing(x: float, y: float) -> bool:
    return (x - 0.5) ** 2 + ((y - 0.52) * 1.0) ** 2 <= 0.045


def bottle(x: float, y: float) -> bool:
    return (0.42 <= x <= 0.58 and 0.3 <= y <= 0.82) or (0.46 <= x <= 0.54 and 0.2 <= y <= 0.3)


def poles(x: float, y: float) -> bool:
    return any(abs(x - (offset + (y - 0.2) * 0.12)) < 0.012 and 0.2 <= y <= 0.85 for offset in (0.44, 0.52))


def roll(x: float, y: float) -> bool:
    return 0.25 <= x <= 0.75 and 0.38 <= y <= 0.66


SHAPES: dict[str, Shape] = {
    "tents": tent,
    "backpacks": pack,
    "daypacks": pack,
    "hiking boots": boot,
    "trail running shoes": boot,
    "sandals": boot,
    "hiking pants": legs,
    "shorts": legs,
    "headlamps": round_thing,
    "hats": round_thing,
    "camp kitchen": round_thing,
    "water bottles": bottle,
    "trekking poles": poles,
    "sleeping bags": roll,
    "sleeping pads": roll,
    "camp furniture": roll,
}


def png(pixels: list[bytes]) -> bytes:
    """A truecolour PNG of the given rows (RGB bytes each)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in pixels)
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def picture(category: str, colour: str) -> bytes:
    background = COLOURS.get(colour, COLOURS["grey"])
    inside = SHAPES.get(category, garment)
    rows = []
    for row in range(HEIGHT):
        line = bytearray()
        for column in range(WIDTH):
            x, y = column / WIDTH, row / HEIGHT
            line += bytes(WHITE if inside((x - 0.5) * HEIGHT / WIDTH + 0.5, y) else background)
        rows.append(bytes(line))
    return png(rows)


def main() -> None:
    catalog = KNOWLEDGE / "catalog.csv"
    with catalog.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames or [], list(reader)
    images = KNOWLEDGE / "images"
    images.mkdir(exist_ok=True)
    for row in rows:
        name = f"{row['id'].lower()}.png"
        colour = (row.get("colors") or "grey").split(";")[0].strip().lower()
        (images / name).write_bytes(picture(row["category"].lower(), colour))
        row["image"] = f"images/{name}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    catalog.write_text(out.getvalue(), encoding="utf-8")
    print(f"wrote {len(rows)} pictures to {images} and pointed {catalog.name} at them")


if __name__ == "__main__":
    main()
