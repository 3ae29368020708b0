"""Answers about named products, in the shop's own words: stock, price, sizes, colours, and a
side-by-side of two products that shows only what differs."""

from __future__ import annotations

from bot.knowledge import Product


def listing(values: tuple[str, ...] | list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} and {values[-1]}"


def money(product: Product) -> str:
    return f"{product.price} {product.currency}"


def _sizes(product: Product) -> str:
    sizes = [size.upper() if len(size) <= 3 else size for size in product.sizes]
    if not sizes or sizes == ["one size"]:
        return "one size"
    return listing(sizes)


def stock(product: Product, color: str | None = None, size: str | None = None) -> str:
    """Whether it can be bought now, and in the colour or size asked about."""
    if not product.in_stock:
        return f"The {product.name} is sold out at the moment."
    if color and color not in product.colors:
        return f"The {product.name} doesn't come in {color}: it comes in {listing(product.colors)}."
    if size and size.lower() not in product.sizes:
        return f"The {product.name} doesn't come in size {size.upper()}: it comes in {_sizes(product)}."
    answer = f"Yes, the {product.name} is in stock"
    if color:
        return f"{answer} in {color} ({money(product)}); it comes in {listing(product.colors)}."
    if size:
        return f"{answer} in size {size.upper()} ({money(product)}); it comes in {_sizes(product)}."
    return f"{answer} ({money(product)})."


def price(product: Product) -> str:
    status = "in stock" if product.in_stock else "sold out at the moment"
    return f"The {product.name} costs {money(product)} ({status})."


def sizes(product: Product) -> str:
    if product.people and not product.sizes:
        return f"The {product.name} comes in one size: it fits {product.people} people."
    if _sizes(product) == "one size":
        return f"The {product.name} comes in one size."
    return f"The {product.name} comes in sizes {_sizes(product)}."


def colors(product: Product) -> str:
    if not product.colors:
        return f"The catalog lists no colours for the {product.name}."
    if len(product.colors) == 1:
        return f"The {product.name} comes in {product.colors[0]} only."
    return f"The {product.name} comes in {listing(product.colors)}."


def _feature(product: Product) -> str:
    # The catalog's descriptions say what a product is made for, then after a colon what sets it apart.
    return product.description.split(":", 1)[-1].strip().rstrip(".") if product.description else ""


def _grams(product: Product) -> str:
    return f"{product.weight_g:,} g" if product.weight_g else ""


def _litres(product: Product) -> str:
    return f"{product.capacity_l:g} L" if product.capacity_l else ""


def _rating(product: Product) -> str:
    return f"{product.temperature_f}°F" if product.temperature_f is not None else ""


def compare(first: Product, second: Product) -> str:
    """The fields in which two products differ, side by side; price always."""
    rows = [("price", money(first), money(second))]
    fields = [
        ("made by", first.brand, second.brand),
        ("colours", listing(first.colors), listing(second.colors)),
        ("sizes", _sizes(first), _sizes(second)),
        (
            "fits",
            f"{first.people} people" if first.people else "",
            f"{second.people} people" if second.people else "",
        ),
        ("weight", _grams(first), _grams(second)),
        ("holds", _litres(first), _litres(second)),
        ("rated to", _rating(first), _rating(second)),
        (
            "stock",
            "in stock" if first.in_stock else "sold out",
            "in stock" if second.in_stock else "sold out",
        ),
        ("stands out for", _feature(first), _feature(second)),
    ]
    rows += [(label, one, other) for label, one, other in fields if one != other and (one or other)]
    lines = [f"{first.name} vs {second.name}:"]
    lines += [f"- {label}: {one or '-'} vs {other or '-'}" for label, one, other in rows]
    if first.category != second.category:
        lines.append(f"- kind: {first.category} vs {second.category}")
    return "\n".join(lines)


ANSWERS = {"price": price, "sizes": sizes, "colors": colors}
