"""The shapes of what shoppers write, as spaCy Matcher patterns: budgets ("under 40 bucks",
"between 50 and 100", "around 250"), party sizes ("for two", "me and my wife"), "cheaper", "show me
more", price order, and the questions asked about a product (stock, price, sizes, colours, compare)."""

from __future__ import annotations

from spacy.matcher import Matcher

_CURRENCY = {"ORTH": {"IN": ["$", "€", "£"]}, "OP": "?"}
_NUMBER = {"LIKE_NUM": True}
_AT_MOST = ["under", "below", "beneath", "max", "maximum", "cheaper", "less", "lower", "within", "sub"]
_AT_LEAST = ["over", "above", "more", "least", "minimum", "min", "from", "pricier"]
_MONEY_WORDS = ["dollars", "dollar", "bucks", "usd", "euros", "euro", "eur", "pounds", "quid", "gbp"]
_AROUND = ["around", "about", "approximately", "approx", "roughly", "~", "budget", "spend", "spending"]
_COMPANIONS = ["wife", "husband", "partner", "boyfriend", "girlfriend", "friend", "son", "daughter", "kid"]
_SOLD_OUT_WORDS = [["sold", "out"], ["out", "of", "stock"], ["unavailable"]]
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def add_patterns(matcher: Matcher) -> None:
    """Add every pattern the parser reads, each under the label ConstraintParser.parse acts on."""
    matcher.add(
        "BETWEEN",
        [
            [
                {"LOWER": "between"},
                _CURRENCY,
                _NUMBER,
                {"LOWER": {"IN": ["and", "to", "-"]}},
                _CURRENCY,
                _NUMBER,
            ],
            [
                _CURRENCY,
                _NUMBER,
                {"LOWER": {"IN": ["to", "-"]}},
                _CURRENCY,
                _NUMBER,
                {"LOWER": {"IN": _MONEY_WORDS}, "OP": "?"},
            ],
        ],
    )
    matcher.add(
        "AT_MOST",
        [
            [
                {"LOWER": {"IN": _AT_MOST}},
                {"LOWER": {"IN": ["than", "of"]}, "OP": "?"},
                _CURRENCY,
                _NUMBER,
            ],
            [
                {"LOWER": {"IN": ["up", "no", "at"]}},
                {"LOWER": {"IN": ["to", "more", "most"]}},
                {"LOWER": "than", "OP": "?"},
                _CURRENCY,
                _NUMBER,
            ],
        ],
    )
    matcher.add(
        "AT_LEAST",
        [
            [
                {"LOWER": {"IN": _AT_LEAST}},
                {"LOWER": {"IN": ["than", "at"]}, "OP": "?"},
                _CURRENCY,
                _NUMBER,
            ],
        ],
    )
    matcher.add(
        "SIZE",
        [
            [{"LOWER": {"IN": ["size", "sz", "sz."]}}, {"IS_PUNCT": False}],
            # "in XS", "in L": a letter size after "in" (checked against the catalog's sizes).
            [{"LOWER": "in"}, {"LOWER": {"IN": ["xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl"]}}],
        ],
    )
    matcher.add(
        "CHEAPER",
        [
            [{"LOWER": {"IN": ["cheaper", "less", "lower"]}}],
            [{"LOWER": {"IN": ["too", "so"]}}, {"LOWER": {"IN": ["expensive", "pricey"]}}],
        ],
    )
    matcher.add(
        "MORE",
        [
            [
                {"LOWER": {"IN": ["more", "other", "others", "different", "another"]}},
                {
                    "LOWER": {"IN": ["options", "ones", "products", "items", "suggestions", "ideas"]},
                    "OP": "?",
                },
            ],
            [{"LOWER": {"IN": ["anything", "something"]}}, {"LOWER": "else"}],
        ],
    )
    matcher.add("SOLD_OUT", [[{"LOWER": word} for word in words] for words in _SOLD_OUT_WORDS])
    matcher.add(
        "LOWEST_PRICE",
        [
            [{"LOWER": {"IN": ["cheapest", "cheapie"]}}],
            [{"LOWER": "least"}, {"LOWER": {"IN": ["expensive", "pricey"]}}],
            [{"LOWER": "most"}, {"LOWER": "affordable"}],
            [{"LOWER": "lowest"}, {"LOWER": {"IN": ["price", "priced", "cost"]}}],
            [
                {"LOWER": "the"},
                {"LOWER": {"IN": ["cheap", "cheaper", "budget", "inexpensive"]}},
                {"LOWER": "one"},
            ],
        ],
    )
    matcher.add(
        "HIGHEST_PRICE",
        [
            [{"LOWER": {"IN": ["priciest", "dearest"]}}],
            [{"LOWER": "most"}, {"LOWER": {"IN": ["expensive", "pricey"]}}],
            [{"LOWER": "highest"}, {"LOWER": {"IN": ["price", "priced", "cost"]}}],
        ],
    )

    matcher.add(
        "AROUND",
        [
            [
                {"LOWER": {"IN": _AROUND}},
                {"LOWER": {"IN": ["of", "is", "around", "about", "~", "up", "to", "max"]}, "OP": "*"},
                _CURRENCY,
                _NUMBER,
            ],
            [
                _CURRENCY,
                _NUMBER,
                {"LOWER": "or"},
                {"LOWER": {"IN": ["less", "under", "below", "cheaper"]}},
            ],
            [{"ORTH": {"IN": ["$", "€", "£"]}}, _NUMBER],
            [_NUMBER, {"LOWER": {"IN": _MONEY_WORDS}}],
        ],
    )
    number = {"LOWER": {"IN": list(NUMBER_WORDS)}}
    matcher.add(
        "PEOPLE",
        [
            [
                party,
                {"ORTH": "-", "OP": "?"},
                {"LOWER": {"IN": ["person", "people", "persons", "man", "ppl"]}},
            ]
            for party in (_NUMBER, number)
        ]
        + [[{"LOWER": "for"}, party] for party in (_NUMBER, number)]
        + [[{"LOWER": "family"}, {"LOWER": "of"}, party] for party in (_NUMBER, number)]
        + [
            [{"LOWER": "the", "OP": "?"}, party, {"LOWER": "of"}, {"LOWER": "us"}]
            for party in (_NUMBER, number)
        ]
        + [
            [{"LOWER": {"IN": ["sleeps", "sleeping", "fits", "fitting"]}}, party]
            for party in (_NUMBER, number)
        ],
    )
    matcher.add(
        "TWO_PEOPLE",
        [
            [
                {"LOWER": "me"},
                {"LOWER": "and"},
                {"LOWER": {"IN": ["my", "the"]}},
                {"LOWER": {"IN": _COMPANIONS}},
            ],
            [
                {"LOWER": "my"},
                {"LOWER": {"IN": _COMPANIONS}},
                {"LOWER": "and"},
                {"LOWER": {"IN": ["i", "me"]}},
            ],
            [{"LOWER": {"IN": ["both", "two"]}}, {"LOWER": "of"}, {"LOWER": "us"}],
            [{"LOWER": "couple"}],
        ],
    )
    matcher.add(
        "ONE_PERSON",
        [[{"LOWER": {"IN": ["solo", "myself"]}}], [{"LOWER": "just"}, {"LOWER": "me"}]],
    )
    matcher.add(
        "COMPARE",
        [
            [
                {
                    "LOWER": {
                        "IN": [
                            "difference",
                            "differences",
                            "differ",
                            "compare",
                            "comparison",
                            "vs",
                            "versus",
                            "better",
                        ]
                    }
                }
            ],
            [{"LOWER": "vs."}],
        ],
    )
    matcher.add(
        "SIZES",
        [[{"LOWER": {"IN": ["size", "sizes", "sizing"]}}]],
    )
    matcher.add(
        "COLORS",
        [[{"LOWER": {"IN": ["colour", "colours", "color", "colors", "colourway", "colourways"]}}]],
    )
    matcher.add(
        "PRICE",
        [
            [{"LOWER": "how"}, {"LOWER": "much"}],
            [{"LOWER": {"IN": ["price", "priced", "cost", "costs"]}}],
        ],
    )
    matcher.add(
        "STOCK",
        [
            [{"LOWER": {"IN": ["stock", "available", "availability", "left", "sold", "unavailable"]}}],
            [{"LOWER": "still"}, {"LOWER": {"IN": ["buy", "get", "order"]}}],
            [{"LOWER": {"IN": ["come", "comes"]}}, {"LOWER": "in"}],
        ],
    )
    matcher.add(
        "LIGHTEST",
        [
            [{"LOWER": {"IN": ["lightest", "lightest-weight"]}}],
            [{"LOWER": {"IN": ["least", "lowest"]}}, {"LOWER": {"IN": ["heavy", "weight"]}}],
        ],
    )
    matcher.add("WARMEST", [[{"LOWER": "warmest"}]])
    matcher.add(
        "LARGEST",
        [[{"LOWER": {"IN": ["biggest", "largest", "roomiest"]}}], [{"LOWER": "most"}, {"LOWER": "capacity"}]],
    )
    # Asking to buy something: "do you sell", "do you carry", "looking for", "where can I buy".
    matcher.add(
        "WANTS",
        [
            [{"LOWER": {"IN": ["sell", "sells", "selling", "carry", "carries", "buy", "purchase"]}}],
            [{"LOWER": {"IN": ["looking", "shopping"]}}, {"LOWER": "for"}],
            [{"LOWER": "do"}, {"LOWER": "you"}, {"LOWER": {"IN": ["stock", "have"]}}],
            [{"LOWER": {"IN": ["need", "needs", "want", "wants"]}}],
            [{"LOWER": {"IN": ["'d", "would"]}}, {"LOWER": "like"}],
            [{"LOWER": {"IN": ["got", "have"]}}, {"LOWER": "any"}],
            [{"LOWER": {"IN": ["'m", "am", "im"]}}, {"LOWER": "after"}],
        ],
    )
