"""botocore's timestamp parsing, fast for the two forms S3 sends, on the driver's clients only.

botocore parses every timestamp of an answer (``LastModified`` of each listed object,
``Last-Modified`` of each HEAD or GET) with dateutil's general parser, most of the CPU a listed
blob costs. `parse` reads S3's two forms itself:

- ISO 8601 in UTC, as in XML bodies: ``2026-12-05T14:11:02.000Z`` (fraction optional, or
  ``+00:00`` in place of ``Z``);
- RFC 822 in GMT, as in headers: ``Sat, 05 Dec 2026 14:11:02 GMT``;

and gives the very value botocore's ``parse_timestamp`` gives, tzinfo included: dateutil's
``tzutc()``, except for an ISO time when the local zone is named ``UTC`` (``TZ`` unset or
``UTC``), where it is dateutil's ``tzlocal()``. Any other value, or a local zone naming ``UTC``
only half of the year, goes to botocore's parser. `install` sets `parse` on one client; other
clients in the process, and botocore itself, are left as they are.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

from botocore.utils import parse_timestamp  # type: ignore[import-untyped]  # untyped, as boto3
from dateutil.tz import tzlocal, tzutc  # type: ignore[import-untyped]  # no stubs installed

__all__ = ["install", "parse"]

_ISO = re.compile(
    r"([1-9][0-9]{3})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,9}))?(?:Z|\+00:00)"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_RFC822 = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) "
    rf"({'|'.join(_MONTHS)}) ([1-9][0-9]{{3}}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)
_UTC = tzutc()
_BOTH_UTC = ("UTC", "UTC")


def parse(value: Any) -> datetime:
    """``value`` as botocore's ``parse_timestamp`` reads it (a weekday that does not match the
    date is ignored, as dateutil does; a fraction is cut to microseconds, as dateutil does)."""
    if type(value) is str:
        match = _RFC822.fullmatch(value)
        if match is not None:
            day, month, year, hour, minute, second = match.groups()
            try:  # dateutil answers GMT with botocore's tzinfos={"GMT": tzutc()}, in any zone
                return datetime(
                    int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second),
                    tzinfo=_UTC,
                )  # fmt: skip
            except ValueError:
                pass  # 31 Feb, 24:00: botocore's error
        else:
            match = _ISO.fullmatch(value)
            # dateutil calls this zone "UTC": tzlocal() where the local zone has that name
            names = time.tzname
            local = names == _BOTH_UTC and not time.daylight
            if match is not None and (local or "UTC" not in names):
                year, month, day, hour, minute, second, fraction = match.groups()
                micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
                try:
                    return datetime(
                        int(year), int(month), int(day), int(hour), int(minute), int(second),
                        micro, tzinfo=tzlocal() if local else _UTC,
                    )  # fmt: skip
                except ValueError:
                    pass
    return parse_timestamp(value)  # type: ignore[no-any-return]  # botocore is untyped


def install(client: Any) -> Any:
    """Make botocore's or aiobotocore's ``client`` parse timestamps with `parse`. Returns it.

    A client's endpoint makes a parser for each answer from the session's parser factory,
    shared by every client of that session: the client gets a copy of it of its own. Cheap
    on a client already set up (s3fs's ``set_session``, wrapped by `_config`, runs before
    each call). A botocore without that factory is left to its own parser (slower, the same
    values)."""
    endpoint: Any = getattr(client, "_endpoint", None)
    shared = getattr(endpoint, "_response_parser_factory", None)
    defaults = getattr(shared, "_defaults", None)
    if shared is None or not isinstance(defaults, dict):
        return client
    if defaults.get("timestamp_parser") is not parse:
        factory = type(shared)()
        factory.set_parser_defaults(**{**defaults, "timestamp_parser": parse})
        endpoint._response_parser_factory = factory
    return client
