"""The one clock of the application; tests and snapshots replace it.

People see local time (the server's zone, Europe/Amsterdam on a Dutch server). So
``now()`` is an aware datetime *in that zone*: every date and day count derived
from it (``now.tzinfo``) is local, and machine output (``isoformat()``) still
carries the offset.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from vecozo_tui.i18n import _


def local_zone() -> tzinfo:
    """The server's time zone with its daylight-saving rules.

    ``datetime.astimezone()`` alone gives today's fixed offset, which converts a
    summer date an hour wrong in winter; so the zone is looked up by name ($TZ, the
    /etc/localtime link, /etc/timezone) and the fixed offset is only the last resort
    (a Windows server without tzdata).
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    names = []
    if os.environ.get("TZ"):
        names.append(os.environ["TZ"].lstrip(":"))
    try:
        link = os.readlink("/etc/localtime")
        if "zoneinfo/" in link:
            names.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        names.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError):
        pass
    for name in names:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return datetime.now(UTC).astimezone().tzinfo or UTC


def in_zone_of(moment: datetime, now: datetime) -> datetime:
    """``moment`` in the zone of ``now`` (the reader's). At the ends of the calendar
    (9999-12-31, RFC 5280's "no expiry"), where the zone would lead past the last day
    there is, ``moment`` as it is: a few hours off beats a crash."""
    try:
        return moment.astimezone(now.tzinfo)
    except OverflowError:
        return moment


def zone_name(moment: datetime) -> str:
    """'Europe/Amsterdam' (or 'CET', 'UTC'): the zone a shown time is in, named once."""
    return getattr(moment.tzinfo, "key", None) or moment.tzname() or "UTC"


class Clock:
    def __init__(self) -> None:
        self._zone: tzinfo | None = None

    @property
    def zone(self) -> tzinfo:
        if self._zone is None:
            self._zone = local_zone()
        return self._zone

    def now(self) -> datetime:
        return datetime.now(self.zone)


class FixedClock(Clock):
    """A clock that stands still (tests, snapshots) until moved; in ``zone`` when given,
    else in the moment's own zone."""

    def __init__(self, moment: datetime, zone: tzinfo | None = None):
        super().__init__()
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")  # untranslated: name
        self.moment = moment
        self._zone = zone or moment.tzinfo

    def now(self) -> datetime:
        return self.moment.astimezone(self.zone)

    def advance(self, **delta: float) -> None:
        self.moment = self.moment + timedelta(**delta)


SYSTEM_CLOCK = Clock()


def aware_datetime(value: object) -> datetime:
    """An ISO-8601 text with a time zone (as the repository writes them) as a datetime;
    ValueError for anything else: a time without a zone cannot be compared with now."""
    if not isinstance(value, str):
        raise ValueError(_("not a date and time"))
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is UTC:  # as the repository writes them (1,000 practices, a few each)
        return moment
    if moment.tzinfo is None:
        raise ValueError(_("a date and time without a time zone"))
    try:  # in UTC it must exist too: 0001-01-01T00:00+14:00 is before the first day there is
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(_("a date and time out of range")) from None
