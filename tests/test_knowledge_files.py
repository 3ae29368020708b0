"""Loading the business's content, and the errors a shop owner sees when a file is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, load_knowledge
from bot.settings import PROJECT_DIR


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the demo store's knowledge/ to break."""
    target = tmp_path / "knowledge"
    shutil.copytree(PROJECT_DIR / "knowledge", target)
    return target


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return [str(problem) for problem in caught.value.problems]


def test_the_demo_store_loads_completely(knowledge):
    assert len(knowledge.catalog) >= 150
    assert len(knowledge.faq) >= 40
    assert knowledge.shop.name == "Alder & Pine Outdoor Co."
    assert {product.currency for product in knowledge.catalog} == {"USD"}
    assert any(not product.in_stock for product in knowledge.catalog)


def test_every_faq_category_the_issue_names_is_covered(knowledge):
    ids = {entry.id for entry in knowledge.faq}
    for needed in (
        "shipping-options",
        "delivery-times",
        "refund-policy",
        "payment-methods",
        "cancellation-fee",
        "view-invoice",
        "warranty",
        "create-account",
        "newsletter",
        "store-hours",
        "contact-us",
    ):
        assert needed in ids


def test_a_missing_answer_and_a_misspelt_field_name_file_line_and_field(content):
    faq = content / "faq.yml"
    text = faq.read_text()
    line = text.count("\n") + 1  # where the appended entry starts
    faq.write_text(
        text + "  - id: parking\n    category: store\n    question: Is there parking?\n"
        "    anwser: Yes, behind the building.\n"
    )
    problems = problems_of(content)
    assert problems == [
        f"{faq}:{line}: answer: is missing",
        f"{faq}:{line}: anwser: is not a known field (check its spelling)",
    ]


def test_a_duplicate_faq_id_is_reported_with_both_lines(content):
    faq = content / "faq.yml"
    faq.write_text(faq.read_text().replace("- id: repairs", "- id: warranty"))
    problems = problems_of(content)
    assert len(problems) == 1
    assert "id: duplicate id 'warranty' (first at line" in problems[0]


def test_several_entries_may_answer_one_intent(content):
    faq = content / "faq.yml"
    faq.write_text(
        faq.read_text().replace("  - id: klarna\n", "  - id: klarna\n    intent: check_payment_methods\n")
    )
    assert load_knowledge(content).entries_by_intent["check_payment_methods"] == {"payment-methods", "klarna"}


def test_invalid_yaml_names_the_line(content):
    faq = content / "faq.yml"
    faq.write_text(faq.read_text().replace("    category: orders\n", "    category: [orders\n", 1))
    problems = problems_of(content)
    assert len(problems) == 1
    assert problems[0].startswith(f"{faq}:") and "invalid YAML" in problems[0]


def test_every_bad_catalog_row_is_listed_with_its_row(content):
    catalog = content / "catalog.csv"
    lines = catalog.read_text().splitlines()
    lines[1] = lines[1].replace(",USD,", ",XYZ,")  # line 2: unknown currency
    price = lines[2].split(",")[4]
    lines[2] = lines[2].replace(f",{price},USD,", ",cheap,USD,")  # line 3: not a price
    product_id, _name, rest = lines[3].split(",", 2)
    lines[3] = f"{product_id},,{rest}"  # line 4: empty name
    lines.append(lines[6])  # last line: the id of line 7 again
    catalog.write_text("\n".join(lines) + "\n")
    problems = problems_of(content)
    assert f"{catalog}:2: currency: unknown currency 'XYZ' (use an ISO code such as USD or EUR)" in problems
    assert any(p.startswith(f"{catalog}:3: price:") for p in problems), problems
    assert any(p.startswith(f"{catalog}:4: name:") for p in problems), problems
    repeated = lines[6].split(",")[0]
    assert f"{catalog}:{len(lines)}: id: duplicate id {repeated!r} (first at line 7)" in problems
    assert len(problems) == 4


def test_a_negative_stock_and_a_bad_url_are_reported(content):
    catalog = content / "catalog.csv"
    lines = catalog.read_text().splitlines()
    header, cells = lines[0].split(","), lines[1].split(",")
    cells[header.index("stock")] = "-3"
    lines[1] = ",".join(cells).replace("https://alderandpine.example/products/", "www.", 1)
    catalog.write_text("\n".join(lines) + "\n")
    problems = problems_of(content)
    assert any(p.startswith(f"{catalog}:2: stock:") for p in problems), problems
    assert any(p.startswith(f"{catalog}:2: url:") for p in problems), problems


def test_a_product_picture_must_be_in_the_images_folder_or_a_web_address(content):
    catalog = content / "catalog.csv"
    lines = catalog.read_text().splitlines()
    lines[1] = lines[1].replace("images/p1001.png", "images/missing.png")
    lines[2] = lines[2].replace("images/p1002.png", "../secrets.png")
    catalog.write_text("\n".join(lines) + "\n")
    problems = problems_of(content)
    assert f"{catalog}:2: image: images/missing.png is not in {content / 'images'}" in problems
    assert any(p.startswith(f"{catalog}:3: image: String should match pattern") for p in problems), problems


def test_party_size_weight_capacity_and_rating_must_be_numbers(content):
    catalog = content / "catalog.csv"
    lines = catalog.read_text().splitlines()
    header = lines[0].split(",")
    tent = next(i for i, line in enumerate(lines) if ",tents," in line)
    cells = lines[tent].split(",")
    for column, bad in (
        ("people", "two"),
        ("weight_g", "-5"),
        ("capacity_l", "lots"),
        ("temperature_f", "cold"),
    ):
        cells[header.index(column)] = bad
    lines[tent] = ",".join(cells)
    catalog.write_text("\n".join(lines) + "\n")
    problems = problems_of(content)
    for column in ("people", "weight_g", "capacity_l", "temperature_f"):
        assert any(p.startswith(f"{catalog}:{tent + 1}: {column}:") for p in problems), (column, problems)


def test_a_json_catalog_is_read_like_the_csv(content):
    (content / "catalog.csv").unlink()
    (content / "synonyms.yml").unlink()  # its words are for the demo catalog's categories
    (content / "catalog.json").write_text(
        '[{"id": "J1", "name": "Trail Mug", "category": "Camp Kitchen", "price": "12.50", "currency": "usd",'
        ' "colors": ["Red", "Blue"], "sizes": [], "stock": 4, "url": "https://shop.example/mug"}]'
    )
    loaded = load_knowledge(content)
    (mug,) = loaded.catalog
    assert (mug.category, mug.currency, mug.colors, str(mug.price)) == (
        "camp kitchen",
        "USD",
        ("red", "blue"),
        "12.50",
    )


def test_a_missing_catalog_is_a_clear_error(content):
    (content / "catalog.csv").unlink()
    (content / "synonyms.yml").unlink()
    assert problems_of(content) == [f"{content / 'catalog.csv'}: no catalog: add catalog.csv or catalog.json"]


def test_a_product_in_another_currency_than_the_store_is_reported(content):
    catalog = content / "catalog.csv"
    lines = catalog.read_text().splitlines()
    lines[1] = lines[1].replace(",USD,", ",EUR,")
    catalog.write_text("\n".join(lines) + "\n")
    assert any("is priced in EUR, the shop in USD" in p for p in problems_of(content))


def test_skipping_invalid_rows_leaves_out_and_reports_each_bad_record(content):
    catalog = content / "catalog.csv"
    lines = catalog.read_text().splitlines()
    bad_price_id = lines[2].split(",")[0]
    price = lines[2].split(",")[4]
    lines[2] = lines[2].replace(f",{price},USD,", ",cheap,USD,")
    euro_id = lines[5].split(",")[0]
    lines[5] = lines[5].replace(",USD,", ",EUR,")
    catalog.write_text("\n".join(lines) + "\n")
    faq = content / "faq.yml"
    faq.write_text(
        faq.read_text() + "  - id: parking\n    category: store\n    question: Is there parking?\n"
    )

    loaded = load_knowledge(content, skip_invalid=True)

    ids = {product.id for product in loaded.catalog}
    assert bad_price_id not in ids and euro_id not in ids
    assert len(loaded.catalog) == len(lines) - 1 - 2
    assert "parking" not in {entry.id for entry in loaded.faq}
    reported = [str(problem) for problem in loaded.skipped]
    assert any(p.startswith(f"{catalog}:3: price:") for p in reported), reported
    assert any(f"product {euro_id} is priced in EUR" in p for p in reported), reported
    assert any(p.startswith(f"{faq}:") and "answer: is missing" in p for p in reported), reported
    assert len(reported) == 3


def test_skipping_invalid_rows_still_fails_on_a_broken_file(content):
    (content / "faq.yml").write_text("entries: [unclosed\n")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(content, skip_invalid=True)
    assert "invalid YAML" in str(caught.value)


def test_the_build_command_skips_and_reports_bad_rows_only_when_asked(content, tmp_path, monkeypatch, capsys):
    from bot.knowledge.__main__ import main

    catalog = content / "catalog.csv"
    lines = catalog.read_text().splitlines()
    lines[1] = lines[1].replace(",USD,", ",XYZ,")
    catalog.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("SUPPORTDESK_KNOWLEDGE_DIR", str(content))
    monkeypatch.setenv("SUPPORTDESK_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("SUPPORTDESK_TUNE_ENCODER", "false")

    assert main(["build"]) == 1
    assert f"{catalog}:2: currency: unknown currency 'XYZ'" in capsys.readouterr().err
    assert not (tmp_path / "index").exists()

    assert main(["build", "--skip-invalid"]) == 0
    captured = capsys.readouterr()
    assert f"left out: {catalog}:2: currency: unknown currency 'XYZ'" in captured.err
    assert "rebuilt: faq, catalog" in captured.out


def test_the_shops_synonyms_must_name_what_the_catalog_has(content):
    (content / "synonyms.yml").write_text("backpacks: [rucksack]\nkayaks: [canoe]\ntents: shelter\n")
    synonyms = content / "synonyms.yml"
    assert problems_of(content) == [
        f"{synonyms}: kayaks: is neither a category of the catalog nor a word of its product names",
        f"{synonyms}: tents: must be a list of words or phrases customers use",
    ]
    (content / "synonyms.yml").write_text("backpacks: [rucksack]\n")
    assert load_knowledge(content).synonyms == {"rucksack": "backpacks"}
