"""The generator's in-memory model: lines, cells, billing months and the row buffers.

Each generator step fills plain tuples (in schema column order) into a `Tables` buffer;
`build.py` writes them in one go. Times are naive datetimes in China Standard Time.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tools.sim.generator.catalog import Product
from tools.sim.generator.regions import District

Row = tuple[object, ...]


class Tables(defaultdict[str, list[Row]]):
    """Rows to insert, by table name, in insertion order."""

    def __init__(self) -> None:
        super().__init__(list)


class Ids:
    """Sequential ids per prefix ("AU000000001"), so ids follow generation order."""

    def __init__(self) -> None:
        self._last: Counter[str] = Counter()

    def next(self, prefix: str, width: int = 9) -> str:
        """The next id with ``prefix``."""
        self._last[prefix] += 1
        return f"{prefix}{self._last[prefix]:0{width}d}"


def ts(moment: datetime) -> str:
    """ISO timestamp with seconds precision ("2026-11-20T09:15:00")."""
    return moment.isoformat(timespec="seconds")


def day(moment: datetime | date) -> str:
    """ISO date ("2026-11-20")."""
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment uniformly drawn in [start, end], to the second."""
    span = max(0, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randint(0, span))


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """The (year, month) ``delta`` months away."""
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class Month:
    """A billing month: ``start`` inclusive, ``end`` exclusive (midnight of the 1st of the next)."""

    key: str
    start: datetime
    end: datetime

    @classmethod
    def of(cls, year: int, month: int) -> Month:
        """The billing month (year, month)."""
        ny, nm = shift_month(year, month, 1)
        return cls(f"{year:04d}-{month:02d}", datetime(year, month, 1), datetime(ny, nm, 1))

    def shifted(self, delta: int) -> Month:
        """The month ``delta`` months away."""
        return Month.of(*shift_month(self.start.year, self.start.month, delta))

    @property
    def last_day(self) -> date:
        """The month's last calendar day."""
        return (self.end - timedelta(days=1)).date()


@dataclass
class Cell:
    """A radio cell; ``role`` says which lines may call it home (normal / weak / outage)."""

    cell_id: str
    name: str
    district: District
    tech: str
    landmark: str
    state: str = "ok"
    role: str = "normal"


@dataclass
class Addon:
    """A data pack, VAS or broadband subscription held by a line."""

    product: Product
    start: date
    end: date | None
    channel: str

    def active_in(self, month: Month) -> bool:
        """Whether the subscription is active at some point of ``month``."""
        return self.start <= month.last_day and (self.end is None or self.end >= month.start.date())


@dataclass
class UsageMonth:
    """One month of ``data_usage`` for a line."""

    quota_mb: int
    used_mb: float = 0.0
    overage_mb: float = 0.0
    roaming_mb: float = 0.0
    overage_fee_fen: int = 0
    roaming_fee_fen: int = 0
    speed_capped: int = 0
    roaming_days: int = 0


@dataclass
class Line:
    """A mobile line and everything the generator decided about it."""

    idx: int
    msisdn: str
    mobile_sit: str | None
    bb_sit: str | None
    district: District
    plan: Product
    name: str = ""
    status: str = "active"
    status_since: datetime = datetime(2000, 1, 1)
    open_date: date = date(2000, 1, 1)
    real_name: int = 1
    star: int = 0
    credit_limit_fen: int = 0
    balance_fen: int = 0
    contract_until: str | None = None
    home_cell: Cell | None = None
    cutoff: datetime | None = None  # no data activity from here on (suspension, lock, outage ...)
    fault_at: datetime | None = None  # when the staged broadband fault began
    addons: list[Addon] = field(default_factory=list)
    overage_targets: dict[str, float] = field(default_factory=dict)  # month key -> MB beyond quota
    roaming_month: str | None = None
    usage: dict[str, UsageMonth] = field(default_factory=dict)
    elastic_months: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # month -> tier, before, after
    bills: dict[str, int] = field(default_factory=dict)  # month -> total fen
    labels: list[str] = field(default_factory=list)

    @property
    def arrears(self) -> bool:
        """Suspended for arrears."""
        return self.status == "suspended_arrears"

    def exists_in(self, month: Month) -> bool:
        """Whether the line was in service (not yet cancelled) at some point of ``month``."""
        return self.open_date <= month.last_day and not (
            self.status == "cancelled" and self.status_since < month.start
        )


@dataclass(frozen=True)
class Window:
    """The simulated "now" and the three billing months the data covers (oldest first)."""

    as_of: datetime
    months: tuple[Month, Month, Month]

    @classmethod
    def at(cls, as_of: datetime) -> Window:
        """The window ending at ``as_of``: its month and the two before."""
        current = Month.of(as_of.year, as_of.month)
        return cls(as_of, (current.shifted(-2), current.shifted(-1), current))

    @property
    def current(self) -> Month:
        """The as_of month (its bill is still open)."""
        return self.months[2]

    @property
    def last(self) -> Month:
        """The month before the as_of month."""
        return self.months[1]

    @property
    def oldest(self) -> Month:
        """The oldest month of the window (usage without session detail)."""
        return self.months[0]


def rand_date(rng: random.Random, lo: date, hi: date) -> date:
    """A date uniformly drawn in [lo, hi] (``lo`` when the range is empty)."""
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))
