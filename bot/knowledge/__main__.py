"""python -m bot.knowledge build | search "question" | eval --examples A --queries B [...]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.knowledge.builds import Builds
from bot.knowledge.encoder import DEFAULT_MODEL, EncoderError
from bot.knowledge.evaluation import evaluate
from bot.knowledge.faq_index import FaqIndex
from bot.knowledge.indexes import FAQ, build_faq_index, build_indexes, report_skipped, shop_knowledge
from bot.knowledge.problems import KnowledgeError
from bot.knowledge.tuning import TuningPlan
from bot.settings import SettingsError, load_settings


def _build(skip_invalid: bool) -> int:
    settings = load_settings(**({"skip_invalid_rows": True} if skip_invalid else {}))
    knowledge = shop_knowledge(settings)
    report_skipped(knowledge)
    rebuilt = build_indexes(settings, knowledge, progress=sys.stderr.isatty())
    print(f"rebuilt: {', '.join(rebuilt)}" if rebuilt else "the indexes are up to date")
    return 0


def _search(query: str, limit: int) -> int:
    settings = load_settings()
    knowledge = shop_knowledge(settings)
    build_faq_index(settings, knowledge, progress=sys.stderr.isatty())
    index = FaqIndex.load(Builds(settings.index_dir, FAQ).current())
    for match in index.rank(query, limit=limit):
        verdict = "answer" if match.score >= index.threshold else "below threshold"
        print(f"{match.score:.3f}  {match.key:28s} {knowledge.faq_entry(match.key).question}  ({verdict})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.knowledge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build", help="build the FAQ and catalog indexes from knowledge/ if they changed"
    )
    build.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave out products and FAQ entries with problems (each is reported) instead of failing",
    )
    search = commands.add_parser("search", help="ask the FAQ index a question")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=5)
    run_eval = commands.add_parser("eval", help="build an index from labelled examples and score queries")
    run_eval.add_argument("--examples", type=Path, required=True, help="JSON Lines: text, label")
    run_eval.add_argument("--queries", type=Path, required=True, help="JSON Lines: text, label (oos = none)")
    run_eval.add_argument("--calibration", type=Path, help="JSON Lines to choose the abstain threshold on")
    run_eval.add_argument("--model", default=DEFAULT_MODEL, help="sentence-transformers model name or path")
    run_eval.add_argument("--no-tuning", action="store_true", help="use the encoder as it is")
    run_eval.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "build":
            return _build(arguments.skip_invalid)
        if arguments.command == "search":
            return _search(arguments.query, arguments.limit)
        if arguments.command == "eval":
            plan = None if arguments.no_tuning else TuningPlan()
            figures = evaluate(
                arguments.examples,
                arguments.queries,
                arguments.calibration,
                arguments.model,
                plan,
                progress=sys.stderr.isatty(),
            )
            if arguments.json:
                print(json.dumps(figures))
            else:
                for name, value in figures.items():
                    print(f"{name:28s} {value}")
        return 0
    except (KnowledgeError, EncoderError, SettingsError) as error:
        print(f"bot.knowledge: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
