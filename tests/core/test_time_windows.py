"""Backup, snapshot and maintenance windows: format, length and overlap."""

from __future__ import annotations

import pytest

from aws_web_platform.core.time_windows import daily_minutes, daily_overlaps_weekly, weekly_minutes


def test_daily_window_in_minutes_including_past_midnight() -> None:
    assert daily_minutes("02:00-03:00") == (120, 180)
    assert daily_minutes("23:30-00:30") == (1410, 1470)


def test_weekly_window_in_minutes_from_monday() -> None:
    assert weekly_minutes("sun:04:00-sun:05:00") == (6 * 1440 + 240, 6 * 1440 + 300)


@pytest.mark.parametrize("window", ["2:00-3:00", "02:00-02:10", "25:00-26:00", "02:00"])
def test_bad_daily_windows_are_refused(window: str) -> None:
    with pytest.raises(ValueError, match=r"window|minutes"):
        daily_minutes(window)


@pytest.mark.parametrize("window", ["sun:04:00", "xyz:04:00-sun:05:00", "mon:01:00-mon:01:10"])
def test_bad_weekly_windows_are_refused(window: str) -> None:
    with pytest.raises(ValueError, match=r"window|minutes"):
        weekly_minutes(window)


@pytest.mark.parametrize(
    ("daily", "weekly", "overlap"),
    [
        ("02:00-03:00", "sun:04:00-sun:05:00", False),
        ("04:30-05:30", "sun:04:00-sun:05:00", True),
        ("23:30-00:30", "mon:00:00-mon:01:00", True),  # the daily one crosses midnight
        ("23:30-00:30", "sun:23:50-mon:00:20", True),  # the weekly one wraps the week
        ("01:00-02:00", "wed:02:00-wed:03:00", False),  # touching is not overlapping
    ],
)
def test_overlap_is_detected_every_day_of_the_week(daily: str, weekly: str, overlap: bool) -> None:
    assert daily_overlaps_weekly(daily, weekly) is overlap
