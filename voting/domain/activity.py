"""Technical appendix 1: main providers for a CCG, and main commissioning CCGs for a provider.

Pure Python. Shares are exact fractions; percentages are rounded half up (48.5% -> 49%), as the
framework's spreadsheet does, never to even.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

NA = "n/a"
DEFAULT_CCG_TOP = 4
DEFAULT_PROVIDER_TOP = 5
CCG_HEADERS: tuple[str, ...] = (
    "Provider (ordered by number of admissions)",
    "Number of Admissions / spells (%)",
    "Of which elective",
    "% of Provider total",
    "Number of Outpatients (%)",
    "Of which first outpatients",
)
PROVIDER_HEADERS: tuple[str, ...] = (
    "CCG (ordered by number of admissions)",
    "Number of Admissions / spells (%)",
    "Of which elective",
    "% of CCG total",
    "Number of Outpatients (%)",
    "Of which first outpatients",
)

RowKind = Literal["row", "other", "total"]


@dataclass(frozen=True)
class Flow:
    """One CCG's activity at one provider."""

    ccg_code: str
    ccg_name: str
    provider_code: str
    provider_name: str
    admissions: int
    elective_admissions: int
    outpatients: int
    first_outpatients: int


@dataclass(frozen=True)
class Counts:
    """The four activity counts, for one row or a sum of rows."""

    admissions: int = 0
    elective_admissions: int = 0
    outpatients: int = 0
    first_outpatients: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.admissions + other.admissions,
            self.elective_admissions + other.elective_admissions,
            self.outpatients + other.outpatients,
            self.first_outpatients + other.first_outpatients,
        )


@dataclass(frozen=True)
class ViewRow:
    """One line of a view: a counterpart (provider or CCG), Other, or Total."""

    kind: RowKind
    code: str | None
    name: str
    counts: Counts
    admissions_share: Fraction | None  # of the subject's admissions
    outpatients_share: Fraction | None  # of the subject's outpatients
    counterpart_share: Fraction | None  # % of Provider total / % of CCG total; None for Other and Total

    def cells(self) -> list[str]:
        """The row's six cells as printed in the framework's tables."""
        c = self.counts
        return [
            self.name,
            f"{c.admissions:,} ({percent(self.admissions_share, 0)})",
            f"{c.elective_admissions:,}",
            percent(self.counterpart_share, 1),
            f"{c.outpatients:,} ({percent(self.outpatients_share, 0)})",
            f"{c.first_outpatients:,}",
        ]


@dataclass(frozen=True)
class ActivityView:
    """A whole table: which CCG or provider it is for, its headers and its rows."""

    kind: Literal["ccg", "provider"]
    code: str
    name: str
    top: int
    headers: tuple[str, ...]
    rows: tuple[ViewRow, ...]

    @property
    def title(self) -> str:
        """The framework's title for this table."""
        return "Main Providers for a CCG" if self.kind == "ccg" else "Main commissioning CCGs for a Provider"

    def table(self) -> list[list[str]]:
        """Header row then every row's cells, ready for CSV or HTML."""
        return [list(self.headers), *(row.cells() for row in self.rows)]


def percent(share: Fraction | None, places: int) -> str:
    """A share as a percentage with `places` decimals, rounded half up; `n/a` when there is none."""
    if share is None:
        return NA
    scale = 10**places
    rounded = int(share * 100 * scale + Fraction(1, 2))  # floor(x + 1/2): half up, exact
    if not places:
        return f"{rounded}%"
    return f"{rounded // scale}.{rounded % scale:0{places}d}%"


def share(part: int, whole: int) -> Fraction | None:
    """part / whole as an exact fraction, or None when the whole is zero."""
    return Fraction(part, whole) if whole else None


def counts_of(flow: Flow) -> Counts:
    """The counts of one flow."""
    return Counts(flow.admissions, flow.elective_admissions, flow.outpatients, flow.first_outpatients)


def _sum(flows: Iterable[Flow]) -> Counts:
    total = Counts()
    for flow in flows:
        total += counts_of(flow)
    return total


def _order(flows: Iterable[Flow], name_of: str) -> list[Flow]:
    """Most admissions first; ties by outpatients, then name, so the order never depends on the file."""
    return sorted(flows, key=lambda f: (-f.admissions, -f.outpatients, getattr(f, name_of)))


def _build(
    kind: Literal["ccg", "provider"],
    code: str,
    name: str,
    mine: list[Flow],
    counterpart_totals: dict[str, int],
    top: int,
) -> ActivityView:
    side = "provider" if kind == "ccg" else "ccg"
    ordered = _order(mine, f"{side}_name")
    total = _sum(ordered)
    rows: list[ViewRow] = []
    for flow in ordered[:top]:
        counts = counts_of(flow)
        other_code = getattr(flow, f"{side}_code")
        rows.append(
            ViewRow(
                "row",
                other_code,
                getattr(flow, f"{side}_name"),
                counts,
                share(counts.admissions, total.admissions),
                share(counts.outpatients, total.outpatients),
                share(counts.admissions, counterpart_totals[other_code]),
            )
        )
    rows.append(_summary("other", "Other", _sum(ordered[top:]), total))
    rows.append(_summary("total", "Total", total, total))
    headers = CCG_HEADERS if kind == "ccg" else PROVIDER_HEADERS
    return ActivityView(kind, code, name, top, headers, tuple(rows))


def _summary(kind: RowKind, label: str, counts: Counts, total: Counts) -> ViewRow:
    return ViewRow(
        kind,
        None,
        label,
        counts,
        share(counts.admissions, total.admissions),
        share(counts.outpatients, total.outpatients),
        None,
    )


def admissions_by(flows: Sequence[Flow], side: Literal["ccg", "provider"]) -> dict[str, int]:
    """Total admissions per CCG code or per provider code."""
    totals: dict[str, int] = {}
    for flow in flows:
        key = flow.ccg_code if side == "ccg" else flow.provider_code
        totals[key] = totals.get(key, 0) + flow.admissions
    return totals


def providers_for_ccg(
    flows: Sequence[Flow], ccg_code: str, top: int = DEFAULT_CCG_TOP
) -> ActivityView | None:
    """Main providers for a CCG: the top providers by admissions, Other, Total; None for an unknown CCG."""
    mine = [flow for flow in flows if flow.ccg_code == ccg_code]
    if not mine:
        return None
    return _build("ccg", ccg_code, mine[0].ccg_name, mine, admissions_by(flows, "provider"), top)


def ccgs_for_provider(
    flows: Sequence[Flow], provider_code: str, top: int = DEFAULT_PROVIDER_TOP
) -> ActivityView | None:
    """Main commissioning CCGs for a provider: the top CCGs by admissions, Other, Total; None if unknown."""
    mine = [flow for flow in flows if flow.provider_code == provider_code]
    if not mine:
        return None
    return _build("provider", provider_code, mine[0].provider_name, mine, admissions_by(flows, "ccg"), top)


def ccgs(flows: Iterable[Flow]) -> list[tuple[str, str]]:
    """(code, name) of every CCG in the data, by name."""
    return sorted({(f.ccg_code, f.ccg_name) for f in flows}, key=lambda pair: (pair[1], pair[0]))


def providers(flows: Iterable[Flow]) -> list[tuple[str, str]]:
    """(code, name) of every provider in the data, by name."""
    return sorted({(f.provider_code, f.provider_name) for f in flows}, key=lambda pair: (pair[1], pair[0]))
