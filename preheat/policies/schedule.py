"""A scheduled policy's cron expression and time zone: checked, put in words, and its run times.

Expressions are the standard five fields (minute hour day month weekday) or
Harbor's six, with a leading seconds field that must be 0: a policy runs at
most once a minute. croniter does the cron arithmetic (in the policy's time
zone, so 02:00 stays 02:00 across daylight saving) and cron-descriptor the
words; neither is written by hand here.
"""
from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from cron_descriptor import Options, get_description
from croniter import CroniterError, croniter

from ..validation import CONTROL_CHARS, FieldError

CRON_MAX = 128
ZONE_MAX = 64
DEFAULT_ZONE = "UTC"
FIELDS = (("minute", "0-59"), ("hour", "0-23"), ("day-of-month", "1-31 or L"),
          ("month", "1-12 or jan-dec"), ("day-of-week", "0-6 or sun-sat"))
SHAPE = ("Five fields (minute hour day-of-month month day-of-week, such as 0 2 * * *) or"
         " Harbor's six with seconds first (0 0 2 * * *).")


@dataclass(frozen=True)
class Cron:
    """A checked expression: as typed, and the five fields croniter evaluates."""

    text: str
    fields: str

    def words(self) -> str:
        """What the expression means, in English ("At 02:00 AM")."""
        return _words(self.fields)

    def after(self, moment: datetime, zone: str = DEFAULT_ZONE, count: int = 1) -> list[datetime]:
        """The next `count` run times strictly after `moment`, in UTC, evaluated in `zone`."""
        local = moment.astimezone(zoneinfo.ZoneInfo(zone))
        times = croniter(self.fields, local)
        return [times.get_next(datetime).astimezone(timezone.utc) for _ in range(count)]

    def next_after(self, moment: datetime, zone: str = DEFAULT_ZONE) -> datetime:
        return self.after(moment, zone)[0]


def check_cron(value, field: str = "schedule") -> Cron:
    """The expression `value` checked, or a FieldError saying what is wrong with it."""
    text = " ".join(str(value or "").split())
    if not text:
        raise FieldError(field, f"A scheduled policy needs a cron expression: {SHAPE}")
    if len(text) > CRON_MAX or CONTROL_CHARS.search(text):
        raise FieldError(field, f"A cron expression has at most {CRON_MAX} printable"
                                " characters.")
    parts = text.split(" ")
    if len(parts) == 6:
        if parts[0] != "0":
            raise FieldError(field, f"The seconds field (the first of six) must be 0, not"
                                    f" {parts[0]!r}: a policy runs at most once a minute,"
                                    " at the start of it (as in Harbor).")
        parts = parts[1:]
    elif len(parts) != 5:
        raise FieldError(field, f"A cron expression has 5 or 6 fields, not {len(parts)}:"
                                f" {SHAPE}")
    if not _valid(parts):
        raise FieldError(field, f"Not a valid cron expression: {_reason(parts)}.")
    return Cron(text, " ".join(parts))


def check_zone(value, field: str = "timezone") -> str:
    """An IANA time zone name (UTC when blank), or a FieldError."""
    name = str(value or "").strip() or DEFAULT_ZONE
    if len(name) > ZONE_MAX or name not in zones():
        raise FieldError(field, f"Unknown time zone {name[:ZONE_MAX]!r}: use an IANA name such"
                                " as UTC, Europe/Berlin or America/New_York.")
    return name


@lru_cache(maxsize=1)
def zones() -> frozenset[str]:
    """Every IANA time zone name this system knows."""
    return frozenset(zoneinfo.available_timezones() | {DEFAULT_ZONE})


def zone_names() -> list[str]:
    """The zone names, sorted, for the dialog's list of suggestions."""
    return sorted(zones())


def lateness(seconds: float) -> str:
    """How late, in a sysadmin's words: "3 h 2 min", "45 s"."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes else ""]
    return " ".join(part for part in parts if part)


@lru_cache(maxsize=512)
def _words(fields: str) -> str:
    options = Options()
    options.use_24hour_time_format = True
    try:
        return get_description(fields, options)
    except Exception:  # the words are a help; the expression was already checked
        return fields


def _valid(parts: list[str]) -> bool:
    try:
        croniter(" ".join(parts), datetime(2000, 1, 1, tzinfo=timezone.utc)).get_next(datetime)
    except (CroniterError, ValueError, KeyError, TypeError, IndexError):
        return False
    return True


def _reason(parts: list[str]) -> str:
    """Which field is wrong, tried one at a time with the others as *."""
    for index, (part, (name, allowed)) in enumerate(zip(parts, FIELDS)):
        alone = ["*"] * 5
        alone[index] = part
        if not _valid(alone):
            return (f"the {name} field {part!r} is not one of {allowed}, or a list (,),"
                    " range (-) or step (/) of them")
    return "it never matches a date (such as the 30th of February)"
