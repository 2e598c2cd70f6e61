"""Daily and weekly time windows (UTC) as RDS and ElastiCache take them, and their overlaps.

A daily window is ``HH:MM-HH:MM`` (backups, snapshots); a weekly window is
``ddd:HH:MM-ddd:HH:MM`` (maintenance). AWS refuses a backup window that overlaps the maintenance
window, and both must last at least 30 minutes; checking here turns a failed deploy into a clear
config error.
"""

from __future__ import annotations

import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MIN_WINDOW_MINUTES = 30

_DAILY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_WEEKLY = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-"
    r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$"
)

Interval = tuple[int, int]  # [start, end) in minutes from Monday 00:00 UTC


def daily_minutes(window: str) -> Interval:
    """A daily window as [start, end) minutes of the day; end may pass midnight (> 1440)."""
    match = _DAILY.match(window)
    if not match:
        raise ValueError(
            f"{window!r} is not a daily window hh24:mi-hh24:mi (UTC), e.g. 02:00-03:00"
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        end += MINUTES_PER_DAY
    _check_length(window, end - start)
    return start, end


def weekly_minutes(window: str) -> Interval:
    """A weekly window as [start, end) minutes of the week; end may pass Sunday midnight."""
    match = _WEEKLY.match(window)
    if not match:
        raise ValueError(
            f"{window!r} is not a weekly window ddd:hh24:mi-ddd:hh24:mi (UTC), "
            "e.g. sun:04:00-sun:05:00"
        )
    d1, h1, m1, d2, h2, m2 = match.groups()
    start = DAYS.index(d1) * MINUTES_PER_DAY + int(h1) * 60 + int(m1)
    end = DAYS.index(d2) * MINUTES_PER_DAY + int(h2) * 60 + int(m2)
    if end <= start:
        end += MINUTES_PER_WEEK
    _check_length(window, end - start)
    return start, end


def _check_length(window: str, minutes: int) -> None:
    if minutes < MIN_WINDOW_MINUTES:
        raise ValueError(f"{window!r} lasts {minutes} minutes; AWS needs at least 30")
    if minutes > 24 * 60:
        raise ValueError(f"{window!r} lasts more than 24 hours")


def daily_overlaps_weekly(daily: str, weekly: str) -> bool:
    """Whether a daily window, repeated every day, meets the weekly window."""
    d_start, d_end = daily_minutes(daily)
    w_start, w_end = weekly_minutes(weekly)
    for day in range(-1, 8):
        start = day * MINUTES_PER_DAY + d_start
        end = day * MINUTES_PER_DAY + d_end
        for shift in (-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK):
            if start < w_end + shift and w_start + shift < end:
                return True
    return False
