"""Suggest a co-ordinating CCG and one of the six collaborative models of technical appendix 2.

The model texts are copied from *Technical appendix 2: Possible models for collaborative
commissioning between CCGs* (August 2012). The appendix draws the models as diagrams without
names: the ids and titles here are ours, numbered in the appendix's order.

``suggest_model`` checks, in this order (thresholds are the constants below):

1. fewer than two members - no collaborative model (None);
2. many CCGs each with a small share (at least MANY_MEMBERS members, none above SMALL_SHARE) -
   model 6, a CSS as co-ordinator ("a large number of CCGs collaborate such as when commissioning
   ambulance services"). Checked before the lead rule: with that many small partners a single
   lead CCG risks "Lack of buy in from CCGs, other than the one leading";
3. one member with a significantly larger portion (largest share at least LEAD_RATIO times the
   second largest) - model 5, a lead CCG as co-ordinator. There is deliberately no absolute
   "at least half" rule: a 50/50 or 55/45 pair is broadly similar, not led;
4. broadly similar shares (largest / smallest at most SIMILAR_RATIO) - model 1, equal partners;
5. otherwise (different sized contracts) - model 2, equal partners supported by a CSS at the
   provider interface ("where CCGs have different sized contracts with a single provider").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from voting.domain.cells import display_name

LEAD_RATIO = Fraction(2)  # largest share >= 2 x second largest -> lead CCG
SIMILAR_RATIO = Fraction(3, 2)  # largest / smallest <= 1.5 -> broadly similar
MANY_MEMBERS = 10  # at least this many members (an acute contract shared by 7 CCGs is not "many") ...
SMALL_SHARE = Fraction(1, 4)  # ... none with more than 25% -> CSS as co-ordinator

ACCOUNTABILITY = "CCGs remain accountable for decision making under all models"


@dataclass(frozen=True)
class Model:
    """One model of technical appendix 2, texts as printed."""

    id: str
    number: int  # position in the appendix, 1..6
    title: str  # ours: the appendix has diagrams, not names
    description: str
    benefits: tuple[str, ...]
    risks: tuple[str, ...]
    use_when: str  # the "CCGs might want to use this ..." sentence


MODELS: dict[str, Model] = {
    m.id: m
    for m in (
        Model(
            id="equal_partners",
            number=1,
            title="Equal partners, support from within",
            description=(
                "CCGs work together equally and severally, sharing responsibility between themselves for "
                "all aspects of the collaborative commissioning arrangements and the interface with "
                "providers. CCGs draw upon their collective resources for capacity and expertise."
            ),
            benefits=("CCG ownership is 'built in'", "CCGs develop mutual accountability"),
            risks=(
                "Lack of leadership and focus",
                "Access to capacity and expertise is more limited",
                "Lack of clarity for support functions",
            ),
            use_when=(
                "CCGs might want to use this where two or more have broadly similar sized contracts with a "
                "single provider (eg in city conurbations) and provide the commissioning support from "
                "within themselves"
            ),
        ),
        Model(
            id="partners_css_interface",
            number=2,
            title="Equal partners, CSS at the provider interface",
            description=(
                "CCGs work together equally and severally with one another; and are supported by a CSS. "
                "The CSS (under the direction of CCGs) acts on behalf of the CCGs at the interface with "
                "the provider"
            ),
            benefits=(
                "CSS can ensure all CCGs' interest are accounted for",
                "Additional expertise and capacity available to CCGs",
            ),
            risks=("'abdication' of responsibility by CCGs", "'mission creep' from CSS"),
            use_when=(
                "CCGs might want to use this approach in circumstances where CCGs have different sized "
                "contracts with a single provider and also require specific support from a CSS"
            ),
        ),
        Model(
            id="partners_css_tasks",
            number=3,
            title="Equal partners, CSS for specific tasks",
            description=(
                "CCGs work together, equally and severally sharing responsibility between themselves. "
                "Additional expertise and capacity is sourced from a CSS for specific tasks, projects or "
                "functions (under the direction of the CCGs)"
            ),
            benefits=(
                "CCGs access additional expertise and capacity when needed.",
                "CCGs develop mutual accountability",
            ),
            risks=("Lack of leadership and focus", "Lack of role clarity for CSS"),
            use_when=(
                "CCGs might want to use this when two or more CCGs have broadly similar sized contracts "
                "with a single provider (eg in a single city or town) and require input from a "
                "commissioning support service."
            ),
        ),
        Model(
            id="lead_per_provider",
            number=4,
            title="Each CCG leads with one provider",
            description=(
                "CCGs work together, agreeing arrangements between themselves. Each CCG takes a lead "
                "responsibility with one provider on behalf of them all; thus building in reciprocal and "
                "mutual accountability. The collaborative sources specific support from a CSS where it "
                "makes sense to do so"
            ),
            benefits=("CCG ownership is \u2018built in\u2019", "Mutual accountability"),
            risks=(
                "Mission creep for the CSS",
                "CCGs focus primarily on one contract to the detriment of others",
                "Lack of CCG buy in to all providers",
            ),
            use_when=(
                "CCGs might want to use this in city conurbations where two or more CCGs commission from "
                "the same group of two or more providers"
            ),
        ),
        Model(
            id="lead_ccg",
            number=5,
            title="Lead CCG as co-ordinator",
            description=(
                "One CCG takes lead responsibility on behalf of the others for the administration and "
                "management of collaborative arrangements and the interface with providers i.e. acts as "
                "the co-ordinator"
            ),
            benefits=("Single relationship, works well for providers",),
            risks=(
                "Perception (or reality) of bias towards one CCG's interests and undermining of other "
                "CCG's commissioning intentions",
                'Provider influence generating "divide and rule" culture',
                "Lack of buy in from CCGs, other than the one leading",
            ),
            use_when=(
                "CCGs might want to use this approach when one of the participating CCGs has a "
                "significantly larger portion of the contract with a provider"
            ),
        ),
        Model(
            id="css_coordinator",
            number=6,
            title="CSS as co-ordinator",
            description=(
                "A CSS takes lead responsibility on behalf of the CCGs (under the direction of CCGs) for "
                "the administration and management of collaborative arrangements and the interface with "
                "providers i.e. acts as the co-ordinator."
            ),
            benefits=(
                "CSS can ensure all CCG's interests are accounted for",
                "Single relationship, works well for providers",
            ),
            risks=(
                "'mission creep' from CSS",
                "Individual CCG intentions overlooked",
                "Potential abdication of responsibility by CCGs",
            ),
            use_when=(
                "CCGs might want to use this in circumstances where a large number of CCGs collaborate "
                "such as when commissioning ambulance services"
            ),
        ),
    )
}


def member_shares(values: Mapping[str, Decimal | float | int]) -> dict[str, Fraction]:
    """Each member's exact share of the group's total value (sums to 1; equal shares if the total is 0)."""
    if not values:
        return {}
    amounts = {org: Fraction(value) for org, value in values.items()}
    negative = sorted(org for org, amount in amounts.items() if amount < 0)
    if negative:
        raise ValueError(f"Negative contract value for: {', '.join(negative)}")
    total = sum(amounts.values(), Fraction(0))
    if not total:
        return {org: Fraction(1, len(amounts)) for org in amounts}
    return {org: amount / total for org, amount in amounts.items()}


def _ranked(shares: Mapping[str, Fraction | Decimal | float]) -> list[tuple[str, Fraction]]:
    """Members by share, largest first; equal shares in code order."""
    return sorted(((org, Fraction(s)) for org, s in shares.items()), key=lambda item: (-item[1], item[0]))


def suggest_coordinator(shares: Mapping[str, Fraction | Decimal | float]) -> str:
    """The member with the largest share; a tie goes to the lowest code (so "A" before "B")."""
    if not shares:
        raise ValueError("No members to choose a co-ordinator from")
    return _ranked(shares)[0][0]


def _times(ratio: Fraction) -> str:
    return "twice" if ratio == 2 else f"{float(ratio):g} times"


def _pct(share: Fraction) -> str:
    return f"{float(share) * 100:.0f}%"


def suggest_model(
    shares: Mapping[str, Fraction | Decimal | float], names: Mapping[str, str] | None = None
) -> tuple[str | None, str]:
    """(model id, reason sentence) for a group with these value shares; None for fewer than two."""
    ranked = _ranked(shares)
    n = len(ranked)
    if n < 2:
        return None, "A single CCG commissions this contract itself: no collaborative model is needed."
    (top, largest), (second, runner_up) = ranked[0], ranked[1]
    smallest = ranked[-1][1]
    if n >= MANY_MEMBERS and largest <= SMALL_SHARE:
        model = MODELS["css_coordinator"]
        reason = (
            f"{n} CCGs collaborate and none holds more than {_pct(SMALL_SHARE)} of the contract value "
            f"(largest {_pct(largest)}): a CSS as co-ordinator suits a large number of CCGs, as for "
            "ambulance services."
        )
    elif largest >= LEAD_RATIO * runner_up:
        model = MODELS["lead_ccg"]
        reason = (
            f"{display_name(top, names)} holds {_pct(largest)} of the contract value, at least "
            f"{_times(LEAD_RATIO)} the next largest ({display_name(second, names)}, {_pct(runner_up)}): "
            "a lead CCG as co-ordinator suits one CCG with a significantly larger portion of the contract."
        )
    elif smallest > 0 and largest <= SIMILAR_RATIO * smallest:
        model = MODELS["equal_partners"]
        reason = (
            f"Shares are broadly similar ({_pct(smallest)} to {_pct(largest)}, the largest at most "
            f"{_times(SIMILAR_RATIO)} the smallest): equal partners suit broadly similar sized "
            "contracts with a single provider."
        )
    else:
        model = MODELS["partners_css_interface"]
        reason = (
            f"Shares differ ({_pct(smallest)} to {_pct(largest)}) but no CCG has {_times(LEAD_RATIO)} the "
            "share of the next largest: equal partners supported by a CSS at the provider interface "
            "suit different sized contracts with a single provider."
        )
    return model.id, reason
