"""The shop's product catalog, from CSV (one product a row) or JSON (a list of products)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.knowledge.problems import KnowledgeError, Problem, build_unique

# ISO 4217 codes a small shop is likely to sell in; extend when a shop needs another.
CURRENCIES = frozenset(
    "USD EUR GBP CAD AUD NZD CHF SEK NOK DKK PLN CZK HUF JPY CNY INR BRL MXN ZAR SGD HKD".split()
)
IMAGE_PATTERN = r"^(|https?://\S+|images/[A-Za-z0-9._-]+\.(png|jpe?g|gif|webp))$"
IMAGES_URL = "/catalog/images/"
COLUMNS = (
    "id",
    "name",
    "category",
    "brand",
    "price",
    "currency",
    "colors",
    "sizes",
    "people",
    "weight_g",
    "capacity_l",
    "temperature_f",
    "stock",
    "description",
    "url",
    "image",
)


class Product(BaseModel):
    """One product as the shop sells it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    category: str = Field(min_length=1)
    brand: str = ""
    price: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    currency: str
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    # How many people it is for (a 2-person tent, a 4-person cook set); empty when that means nothing.
    people: int | None = Field(None, ge=1, le=100)
    weight_g: int | None = Field(None, ge=1, le=1_000_000)  # grams
    capacity_l: Decimal | None = Field(None, gt=0, le=10_000)  # litres: packs, bottles, pots
    # Comfort rating of a sleeping bag, in °F: rated for nights down to this temperature.
    temperature_f: int | None = Field(None, ge=-100, le=100)
    stock: int = Field(ge=0)
    description: str = ""
    url: str = Field(pattern=r"^https?://\S+$")
    # A full URL, or a picture in the knowledge folder's images/ ("images/p1001.png"), which the
    # gateway serves at /catalog/images/.
    image: str = Field("", pattern=IMAGE_PATTERN)

    @field_validator("category")
    @classmethod
    def _lowercase_category(cls, value: str) -> str:
        return value.lower()

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value.upper() not in CURRENCIES:
            raise ValueError(f"unknown currency {value!r} (use an ISO code such as USD or EUR)")
        return value.upper()

    @field_validator("colors", "sizes", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        # CSV cells hold lists as "black;navy"; JSON holds real lists.
        if isinstance(value, str):
            return tuple(part.strip().lower() for part in value.split(";") if part.strip())
        if isinstance(value, list):
            return tuple(str(part).strip().lower() for part in value if str(part).strip())
        return value

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def image_url(self) -> str:
        """Where a browser loads the picture: the URL given, or the gateway's copy of the file."""
        if self.image.startswith("images/"):
            return IMAGES_URL + self.image.removeprefix("images/")
        return self.image


def _rows_from_csv(path: Path) -> list[tuple[int, dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [
            column
            for column in ("id", "name", "category", "price", "currency", "stock", "url")
            if column not in (reader.fieldnames or [])
        ]
        if missing:
            raise KnowledgeError([Problem(path, 1, None, f"missing column(s): {', '.join(missing)}")])
        rows = []
        for row in reader:
            if None in row:  # more cells than the header has columns
                rows.append((reader.line_num, {**row, "__extra_cells__": row.pop(None)}))
            else:
                rows.append((reader.line_num, row))
        return rows


def _rows_from_json(path: Path) -> list[tuple[int, dict]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise KnowledgeError([Problem(path, error.lineno, None, f"invalid JSON: {error.msg}")]) from None
    if not isinstance(document, list):
        raise KnowledgeError([Problem(path, None, None, "the file must hold a JSON list of products")])
    # JSON has no row numbers once parsed; the product's position stands in for them.
    return [(position, item) for position, item in enumerate(document, start=1)]


def read_catalog(path: Path) -> tuple[list[Product], list[Problem]]:
    """Read and check a catalog file; returns the valid products and every problem found."""
    if not path.exists():
        return [], [Problem(path, None, None, "file not found")]
    rows = _rows_from_json(path) if path.suffix.lower() == ".json" else _rows_from_csv(path)
    problems: list[Problem] = []
    records = []
    for line, row in rows:
        if not isinstance(row, dict):
            problems.append(Problem(path, line, None, "a product must be an object of fields", record=True))
        elif "__extra_cells__" in row:
            problems.append(
                Problem(path, line, None, "the row has more cells than the header has columns", record=True)
            )
        else:
            records.append((line, {key: value for key, value in row.items() if value not in (None, "")}))
    products = build_unique(Product, [r for r in records if _image_found(path, *r, problems)], path, problems)
    return products, problems


def _image_found(path: Path, line: int, row: dict, problems: list[Problem]) -> bool:
    """A picture named as a file must be in the knowledge folder (URLs are the shop's to keep)."""
    image = str(row.get("image", ""))
    named_file = image.startswith("images/") and "/" not in image.removeprefix("images/")
    if named_file and not (path.parent / image).is_file():
        problems.append(
            Problem(path, line, "image", f"{image} is not in {path.parent / 'images'}", record=True)
        )
        return False
    return True
