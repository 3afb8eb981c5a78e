"""The corpus of how people really type to the bot (issue 12), one module per category.

Every case is a message written out by hand, the way a team member, a manager or a campaign
owner types in Telegram or Slack, with the parse it must give (``bot.parsing.parse_text``).
Each expected dict names only the fields that matter, as in ``tests/data/phrasings.py``:

- ``start`` / ``end``: the current period, ISO dates hand-computed from SPEC §4 for
  ``TODAY`` = Sunday 2026-11-22 (weeks start on Monday); ``period: None``: no period named;
- ``period_error``: the ``PeriodError.code``;
- any other key: the ``ParsedText`` attribute of that name (``command``, ``metric``,
  ``channel``, ``channels``, ``campaign``, ``campaigns``, ``competitors``, ``smalltalk``,
  ``unclear``, ``unclear_kind``, ``suggestion``, ``lang``, ``args``).

The fixture is the one of ``tests/data/phrasings.py`` (TODAY, CHANNELS, BOT) with two more
campaigns a Jakarta brand really runs: ``gajian`` (the payday promo at the end of the month)
and ``imlek`` (Chinese New Year). ``CAMPAIGNS`` below is what the corpus test passes to the
parser.
"""

from __future__ import annotations

from typing import Any

from tests.data import phrasings
from tests.data.phrasings import (  # noqa: F401  (re-exported for the category modules)
    BOT,
    CHANNELS,
    DECEMBER_2025,
    LAST_2_WEEKS,
    LAST_3_MONTHS,
    LAST_7_DAYS,
    LAST_30_DAYS,
    LAST_90_DAYS,
    LAST_MONTH,
    LAST_QUARTER,
    LAST_WEEK,
    LAST_YEAR,
    NO_PERIOD,
    NOV_1_15,
    NOVEMBER,
    OCTOBER,
    Q2_2026,
    Q3_2026,
    SINCE_NOV_1,
    SINCE_NOV_10,
    THIS_MONTH,
    THIS_QUARTER,
    THIS_WEEK,
    THIS_YEAR,
    TODAY,
    TODAY_,
    YESTERDAY,
)

Case = tuple[str, dict[str, Any]]

CAMPAIGNS: tuple[str, ...] = (*phrasings.CAMPAIGNS, "gajian", "imlek")

# More periods, hand-computed for Sunday 2026-11-22.
LAST_2_DAYS = {"start": "2026-11-21", "end": "2026-11-22"}
LAST_3_DAYS = {"start": "2026-11-20", "end": "2026-11-22"}
LAST_10_DAYS = {"start": "2026-11-13", "end": "2026-11-22"}
LAST_14_DAYS = LAST_2_WEEKS  # 2026-11-09 .. 2026-11-22
LAST_28_DAYS = {"start": "2026-10-26", "end": "2026-11-22"}  # 6 days of Oct + 22 of Nov
LAST_60_DAYS = {"start": "2026-09-24", "end": "2026-11-22"}  # 7 Sep + 31 Oct + 22 Nov
LAST_3_WEEKS = {"start": "2026-11-02", "end": "2026-11-22"}  # 21 days
LAST_4_WEEKS = LAST_28_DAYS
LAST_1_MONTH = {"start": "2026-10-23", "end": "2026-11-22"}  # from 22 Oct + 1 day
LAST_2_MONTHS = {"start": "2026-09-23", "end": "2026-11-22"}  # from 22 Sep + 1 day
LAST_6_MONTHS = {"start": "2026-05-23", "end": "2026-11-22"}  # from 22 May + 1 day
LAST_12_MONTHS = {"start": "2025-11-23", "end": "2026-11-22"}  # from 22 Nov 2025 + 1 day
JANUARY = {"start": "2026-01-01", "end": "2026-01-31"}
MAY = {"start": "2026-05-01", "end": "2026-05-31"}
AUGUST = {"start": "2026-08-01", "end": "2026-08-31"}
SEPTEMBER = {"start": "2026-09-01", "end": "2026-09-30"}
Q1_2026 = {"start": "2026-01-01", "end": "2026-03-31"}
Q4_2026 = THIS_QUARTER  # the current quarter runs to today
SINCE_NOV_15 = {"start": "2026-11-15", "end": "2026-11-22"}
NOV_1_7 = {"start": "2026-11-01", "end": "2026-11-07"}
OCT_10_20 = {"start": "2026-10-10", "end": "2026-10-20"}
NOV_20 = {"start": "2026-11-20", "end": "2026-11-20"}
LAST_SUNDAY = {"start": "2026-11-15", "end": "2026-11-15"}
FUTURE = {"period": None, "period_error": "future"}
