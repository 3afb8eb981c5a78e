"""The corpus of how people really type (issue 12): every case of every category parses as
written by hand in ``tests/data/corpus/``; the comparison is the one of test_parsing."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from bot.parsing import ParsedText, parse_text
from tests.data.corpus import BOT, CAMPAIGNS, CHANNELS, TODAY, Case
from tests.data.phrasings import CASES as PHRASINGS
from tests.unit.test_parsing import case_id, observed

CATEGORIES = ("periods", "channels", "metrics", "campaigns", "breakdowns", "clarifications",
              "smalltalk", "commands", "mixed", "explanations", "content", "rankings")


def category_cases(name: str) -> list[Case]:
    module = importlib.import_module(f"tests.data.corpus.{name}")
    return list(module.CASES)


def all_cases() -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, text, expected) for name in CATEGORIES for text, expected in
            category_cases(name)]


def parse(text: str) -> ParsedText:
    return parse_text(text, TODAY, channels=CHANNELS, campaigns=CAMPAIGNS, bot_username=BOT)


def mismatches(text: str, expected: dict[str, Any]) -> dict[str, Any]:
    """The fields whose parse differs from the expectation: {field: (expected, got)}."""
    parsed = parse(text)
    got = {field: observed(parsed, field) for field in expected}
    return {field: (expected[field], got[field]) for field in expected
            if got[field] != expected[field]}


CASES = all_cases()

# The ParsedText attributes a case may name (issue 12), plus the period fields of observed().
FIELDS = {"command", "command_word", "smalltalk", "metric", "channel", "channels", "campaign",
          "campaigns", "competitors", "start", "end", "period", "period_error", "unclear",
          "unclear_kind", "suggestion", "lang", "args", "chart", "rank_by", "rank_dir", "top"}
KINDS = {"period", "channel", "campaign", "metric"}


@pytest.mark.parametrize(("category", "text", "expected"), CASES,
                         ids=[f"{c}:{case_id(t)}" for c, t, _ in CASES])
def test_corpus_case(category: str, text: str, expected: dict[str, Any]) -> None:
    parsed = parse(text)
    got = {field: observed(parsed, field) for field in expected}
    assert got == expected, parsed


def test_corpus_is_large_unique_and_new() -> None:
    texts = [text for _, text, _ in CASES]
    assert len(texts) >= 800
    assert len(texts) + len(PHRASINGS) >= 1_100
    duplicates = {text for text in texts if texts.count(text) > 1}
    assert not duplicates
    assert not set(texts) & {text for text, _ in PHRASINGS}


def test_every_category_has_cases_and_every_case_names_what_matters() -> None:
    for name in CATEGORIES:
        cases = category_cases(name)
        assert len(cases) >= 40, name
        for text, expected in cases:
            assert expected, text
            assert set(expected) <= FIELDS, (text, set(expected) - FIELDS)
            if "unclear" in expected or "suggestion" in expected:
                assert expected.get("unclear_kind") in KINDS, text
            if "start" in expected or "end" in expected:
                assert expected["start"] <= expected["end"] <= TODAY.isoformat(), text
            for key in ("channels", "campaigns"):
                if key in expected:
                    assert len(expected[key]) >= 2, text
