"""Decision rules of a collaboration's contract oversight board (framework section 4).

"will unanimous decisions be required or will a majority be accepted? how large a majority is
required and will a majority decision be binding on all parties? might a consensus be sought?"

Definitions used by ``decide``:

* Quorum: members who cast any ballot (yes, no or abstain). An int quorum is a number of members;
  a Fraction or Decimal quorum is a share of all members, rounded up (2/3 of 6 -> 4).
* unanimous: quorum met and every member present voted yes. An abstention blocks: a unanimous
  decision is one every member present agreed to.
* consensus: quorum met, no member present voted no, and at least one voted yes. Abstaining
  is standing aside and does not block.
* majority: quorum met and yes / (yes + no) beats the threshold; abstentions are left out.
  With ``at_least=False`` the share must be more than the threshold (1/2: "more than half");
  with ``at_least=True`` it must be at least the threshold (2/3: "at least two thirds").
  No yes or no votes at all never passes.

A member CCG whose delegates are tied (say one votes yes and one no) is split: it has no ballot, so
it counts neither as yes nor as no, nor towards the quorum, and the reason names it. The framework has
the CCG vote (Annex 2, Stage 2: "The CCG then voted"), so the app never picks one of its delegates.

Who is bound: a decision that passes binds every member, except a majority decision under a rule
with ``majority_binds_all=False``, which binds only the members that voted yes. Ballots from
organisations that are not members are ignored and named in the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil

UNANIMOUS = "unanimous"
MAJORITY = "majority"
CONSENSUS = "consensus"
KINDS = (UNANIMOUS, MAJORITY, CONSENSUS)
BALLOTS = ("yes", "no", "abstain")

_NAMED = {
    Fraction(1, 2): "half",
    Fraction(2, 3): "two thirds",
    Fraction(3, 4): "three quarters",
    Fraction(1, 3): "one third",
    Fraction(1, 4): "one quarter",
}


class RuleError(ValueError):
    """A decision rule refused, with a sentence written here for the facilitator."""


@dataclass(frozen=True)
class Rule:
    """How the members decide; see the module docstring for exact meanings."""

    kind: str
    threshold: Fraction | Decimal = Fraction(1, 2)  # majority only
    at_least: bool = False  # majority only: >= threshold instead of > threshold
    quorum: int | Fraction | Decimal = 0
    majority_binds_all: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise RuleError(f"Unknown decision rule {self.kind!r}: use one of {', '.join(KINDS)}")
        threshold = Fraction(self.threshold)
        if not 0 <= threshold <= 1 or (threshold == 1 and not self.at_least):
            raise RuleError("A majority threshold must be a fraction from 0 to 1, like 1/2 or 2/3")
        if isinstance(self.quorum, bool):
            raise TypeError("Quorum must be a number of members or a fraction of them")
        if isinstance(self.quorum, int):
            if self.quorum < 0:
                raise RuleError("Quorum must not be negative")
        elif not 0 <= Fraction(self.quorum) <= 1:
            raise RuleError("A quorum given as a fraction of members must be between 0 and 1")


@dataclass(frozen=True)
class Counts:
    """Ballots of members (non-members' ballots are only listed in ``ignored``)."""

    members: int
    voted: int
    yes: int
    no: int
    abstain: int
    quorum_needed: int
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The outcome with a sentence a facilitator can read out."""

    passed: bool
    reason: str
    counts: Counts
    bound: frozenset[str] = frozenset()  # members bound by the decision (empty when not passed)


def quorum_needed(rule: Rule, members: int) -> int:
    """Number of members who must cast a ballot for the rule's quorum."""
    if isinstance(rule.quorum, int):
        return rule.quorum
    return ceil(Fraction(rule.quorum) * members)


def _fraction_words(value: Fraction) -> str:
    return _NAMED.get(value) or f"{float(value) * 100:g}%"


def describe(rule: Rule) -> str:
    """What the rule needs, eg "majority of more than half needed"."""
    if rule.kind == UNANIMOUS:
        return "every member present must vote yes (an abstention blocks)"
    if rule.kind == CONSENSUS:
        return "consensus needed: no member present may vote no (abstentions do not block)"
    words = _fraction_words(Fraction(rule.threshold))
    return f"majority of {'at least' if rule.at_least else 'more than'} {words} needed"


def decide(
    rule: Rule, members: Set[str], ballots: Mapping[str, str], split: Set[str] = frozenset()
) -> Decision:
    """Whether a proposal passes under the rule, with counts and a readable reason.

    `split`: member CCGs whose delegates are tied; they have no ballot and the reason says so.
    """
    if not members:
        raise ValueError("A decision needs at least one member")
    bad = sorted(org for org, ballot in ballots.items() if ballot not in BALLOTS)
    if bad:
        raise ValueError(f"Ballots must be yes, no or abstain; not for: {', '.join(bad)}")
    ignored = tuple(sorted(org for org in ballots if org not in members))
    mine = {org: ballot for org, ballot in ballots.items() if org in members}
    yes = sorted(org for org, ballot in mine.items() if ballot == "yes")
    no = sum(1 for ballot in mine.values() if ballot == "no")
    abstain = sum(1 for ballot in mine.values() if ballot == "abstain")
    needed = quorum_needed(rule, len(members))
    counts = Counts(len(members), len(mine), len(yes), no, abstain, needed, ignored)
    note = f" Ignored ballots from non-members: {', '.join(ignored)}." if ignored else ""
    tied = sorted(org for org in split if org in members and org not in mine)
    if tied:
        note += f" Not counted as yes or no: {', '.join(tied)} " + (
            "is split (its delegates are tied)."
            if len(tied) == 1
            else "are split (their delegates are tied)."
        )

    if counts.voted < needed:
        reason = (
            f"Not passed: quorum not met ({counts.voted} of {counts.members} voted, {needed} needed).{note}"
        )
        return Decision(False, reason, counts)

    if rule.kind == UNANIMOUS:
        passed = counts.voted > 0 and counts.yes == counts.voted
    elif rule.kind == CONSENSUS:
        passed = counts.no == 0 and counts.yes > 0
    else:
        decisive = counts.yes + counts.no
        share = Fraction(counts.yes, decisive) if decisive else Fraction(0)
        threshold = Fraction(rule.threshold)
        passed = decisive > 0 and (share >= threshold if rule.at_least else share > threshold)

    tally = f"{counts.voted} of {counts.members} members voted, {counts.yes} yes, {counts.no} no"
    if counts.abstain:
        tally += f", {counts.abstain} abstained"
    reason = f"{'Passed' if passed else 'Not passed'}: {tally}; {describe(rule)}."
    bound: frozenset[str] = frozenset()
    if passed:
        if rule.kind == MAJORITY and not rule.majority_binds_all:
            bound = frozenset(yes)
            reason += f" It binds only the {len(yes)} members that voted yes: a majority does not bind all."
        else:
            bound = frozenset(members)
    return Decision(passed, reason + note, counts, bound)
