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


# --- relationships the framework names (introduction): core, linked, specialist low volume --------


@dataclass(frozen=True)
class Thresholds:
    """When a provider's CCGs count as core, linked or specialist low volume (shares of admissions)."""

    core_share_of_ccg: Fraction = Fraction(20, 100)  # a main provider: at least this of a CCG's admissions
    core_min_ccgs: int = 2  # ...shared by at least this many CCGs
    linked_min_ccgs: int = 5  # linked: at least this many CCGs,
    linked_max_share_of_ccg: Fraction = Fraction(10, 100)  # each sending at most this of its admissions
    linked_max_share_of_provider: Fraction = Fraction(25, 100)  # and none with more of the provider's
    specialist_max_share_of_ccg: Fraction = Fraction(5, 100)  # specialist: a small part of a CCG's business
    specialist_ratio: int = 5  # and a share of the provider at most 1/5 of the largest CCG's

    def described(self) -> list[str]:
        """The settings as sentences, shown beside every result."""
        return [
            f"Core: at least {self.core_min_ccgs} CCGs each send at least "
            f"{percent(self.core_share_of_ccg, 0)} of their admissions to the provider.",
            f"Linked: at least {self.linked_min_ccgs} CCGs, each sending at most "
            f"{percent(self.linked_max_share_of_ccg, 0)} of its admissions and none with more than "
            f"{percent(self.linked_max_share_of_provider, 0)} of the provider's.",
            f"Specialist low volume: the provider is under {percent(self.specialist_max_share_of_ccg, 0)} "
            f"of a CCG's admissions and that CCG's share of the provider is at most "
            f"1/{self.specialist_ratio} of the largest CCG's.",
        ]


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Relationship:
    """How a provider's commissioning CCGs relate, with the CCGs to talk to, as (code, name)."""

    kind: Literal["core", "linked", "specialist low volume", "none"]
    reason: str
    ccgs: tuple[tuple[str, str], ...]  # core CCGs, every linked CCG, or the specialist's main CCGs
    small: tuple[tuple[str, str], ...] = ()  # specialist low volume: the CCGs with a far smaller share


def classify_provider(
    flows: Sequence[Flow], provider_code: str, settings: Thresholds = DEFAULT_THRESHOLDS
) -> Relationship | None:
    """Core, linked, specialist low volume (the first that fits) or none; None for an unknown provider."""
    mine = _order((f for f in flows if f.provider_code == provider_code and f.admissions), "ccg_name")
    if not mine:
        return None
    totals = admissions_by(flows, "ccg")
    of_ccg = {f.ccg_code: Fraction(f.admissions, totals[f.ccg_code]) for f in mine}
    provider_total = sum(f.admissions for f in mine)
    of_provider = {f.ccg_code: Fraction(f.admissions, provider_total) for f in mine}
    pairs = tuple((f.ccg_code, f.ccg_name) for f in mine)
    core = tuple(p for p in pairs if of_ccg[p[0]] >= settings.core_share_of_ccg)
    if len(core) >= settings.core_min_ccgs:
        reason = f"{_names(core)} each send at least {percent(settings.core_share_of_ccg, 0)} of their "
        reason += (
            "admissions here: a shared main provider, for comprehensive core collaborative arrangements."
        )
        return Relationship("core", reason, core)
    if (
        len(pairs) >= settings.linked_min_ccgs
        and all(of_ccg[code] <= settings.linked_max_share_of_ccg for code, _ in pairs)
        and all(of_provider[code] <= settings.linked_max_share_of_provider for code, _ in pairs)
    ):
        reason = f"{len(pairs)} CCGs each send a small share of their admissions here and none dominates: "
        return Relationship("linked", reason + "linked collaborative arrangements.", pairs)
    largest = max(of_provider.values())
    small = tuple(
        p
        for p in pairs
        if of_ccg[p[0]] < settings.specialist_max_share_of_ccg
        and of_provider[p[0]] * settings.specialist_ratio <= largest
    )
    if small:
        main = tuple(p for p in pairs if p not in small)
        verb, their = ("has", "its") if len(small) == 1 else ("have", "their")
        reason = f"{_names(small)} {verb} a far smaller share of its activity, and it is a small part of "
        reason += f"{their} business: specialist low volume arrangements"
        reason += f", led by {_names(main)}." if main else "."
        return Relationship("specialist low volume", reason, main, small)
    return Relationship("none", "No core, linked or specialist low volume pattern at these settings.", ())


def _names(pairs: Sequence[tuple[str, str]]) -> str:
    names = [name for _code, name in pairs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
