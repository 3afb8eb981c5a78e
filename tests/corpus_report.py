"""Per-category table of the parser corpus (issue 12): category, cases, passing.

Run from the project root: ``.venv/bin/python tests/corpus_report.py`` (``-v`` also lists
each failing case with the fields that differ).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.data.phrasings import CASES as PHRASINGS
from tests.unit.test_corpus import CATEGORIES, category_cases, mismatches


def safe_mismatches(text: str, expected: dict) -> dict:
    try:
        return mismatches(text, expected)
    except Exception as exc:  # a missing attribute or a crash counts as a failure
        return {"error": repr(exc)}


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    rows = [(name, category_cases(name)) for name in CATEGORIES]
    rows.append(("phrasings (existing)", list(PHRASINGS)))
    width = max(len(name) for name, _ in rows)
    print(f"{'category':<{width}}  {'cases':>5}  {'passing':>7}")
    total = passing = 0
    failures: list[tuple[str, str, dict]] = []
    for name, cases in rows:
        ok = 0
        for text, expected in cases:
            diff = safe_mismatches(text, expected)
            if diff:
                failures.append((name, text, diff))
            else:
                ok += 1
        total += len(cases)
        passing += ok
        print(f"{name:<{width}}  {len(cases):>5}  {ok:>7}")
    print(f"{'total':<{width}}  {total:>5}  {passing:>7}")
    if verbose:
        for name, text, diff in failures:
            print(f"{name}: {text!r} {diff}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
