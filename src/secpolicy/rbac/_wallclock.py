"""The staleness bound on the system clock, as ``time.time()`` floats.

An attached engine on the system clock tests each check against two floats
worked out once per synchronisation, instead of building a datetime per
check. The floats are exact or stricter: a reading inside them comes from
an instant inside the bound, to the nanosecond; a reading outside them is
decided on the datetime clock.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Final

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
LAST: Final = datetime.max.replace(tzinfo=UTC)
# time.time() is the wall clock's nanosecond count rounded to a double, then
# divided by 1e9 and rounded again: two roundings, each within a relative
# 2**-53, so a reading is above its instant times (1 - 2**-52).
_SHRINK_NUM: Final = 2**52 - 1
_SHRINK_DEN: Final = 10**9 * 2**52


def wall_deadline(until: datetime) -> float:
    """The largest ``time.time()`` reading still proven to be at or before *until*.

    A reading ``t <= _wall_deadline(until)`` comes from an instant no later
    than *until*, to the nanosecond, at every date after 1970 (the system
    clock's dates; before 1970 the error bound would point the other way); a
    reading above it comes from later, or from the last microsecond or so
    before *until* (a relative 2**-52 of the date: about 0.5 us in 2026, 1 us
    in 2100), and the caller then decides on the datetime clock. So the float
    test is exact or stricter.
    """
    delta = until - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    # The first nanosecond past *until*, less the readings' error, as a fraction.
    past = (micros * 1000 + 1) * _SHRINK_NUM
    deadline = past / _SHRINK_DEN  # the nearest double
    num, den = deadline.as_integer_ratio()
    if num * _SHRINK_DEN >= past * den:  # not strictly below: one step down
        deadline = math.nextafter(deadline, -math.inf)
    return deadline


# The same two roundings the other way: a reading is below its instant times
# (1 + 2**-53)**2, which is below 1 + 2**-52 + 2**-104.
_GROW_NUM: Final = 2**104 + 2**52 + 1
_GROW_DEN: Final = 10**9 * 2**104


def wall_since(at: datetime) -> float:
    """The smallest ``time.time()`` reading proven to be at or after *at*.

    The mirror of :func:`wall_deadline`: a reading ``t >= _wall_since(at)``
    comes from an instant after *at*; a reading below it comes from before,
    or from the first microsecond or so after *at*, and the caller then
    decides on the datetime clock. So the float test is exact or stricter.
    """
    delta = at - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    least = micros * 1000 * _GROW_NUM  # over _GROW_DEN: *at* plus the readings' error
    since = least / _GROW_DEN  # the nearest double
    num, den = since.as_integer_ratio()
    if num * _GROW_DEN < least * den:  # below: one step up
        since = math.nextafter(since, math.inf)
    return since
