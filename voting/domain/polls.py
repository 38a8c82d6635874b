"""Stage 1 "Do we have an appetite for collaboration?": quick polls and their tallies.

Poll kinds: ``yes_no_unsure`` (Yes / No / Unsure), ``choice`` (2-10 custom options, non-empty
and unique ignoring case and surrounding spaces) and ``scale`` (1 to 5). Answers are matched to
the poll's options ignoring case and surrounding spaces and stored as the option's own text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

YES_NO_UNSURE = "yes_no_unsure"
CHOICE = "choice"
SCALE = "scale"
KINDS = (YES_NO_UNSURE, CHOICE, SCALE)

YES_NO_UNSURE_OPTIONS: tuple[str, ...] = ("Yes", "No", "Unsure")
SCALE_OPTIONS: tuple[str, ...] = ("1", "2", "3", "4", "5")
MIN_CHOICES = 2
MAX_CHOICES = 10
MAX_OPTION_LENGTH = 200  # an answer is stored as its option's text: models.poll's answer columns hold 200


@dataclass(frozen=True)
class Tally:
    """Counts for every option (zeros included), overall and per CCG."""

    options: tuple[str, ...]
    overall: dict[str, int]
    by_org: dict[str, dict[str, int]]  # CCG code -> option -> count; anonymous answers only overall
    total: int  # valid answers counted
    invalid: int = 0  # answers that are not an option of the poll (left out of every count)
    mean: float | None = None  # scale polls with answers only
    mean_by_org: dict[str, float] | None = None  # scale polls only


class OptionsError(ValueError):
    """A poll's kind or options refused, with a sentence written here for the facilitator."""


def poll_options(kind: str, options: Sequence[str] | None = None) -> tuple[str, ...]:
    """The poll's options: fixed for yes_no_unsure and scale, the validated custom ones for choice."""
    if kind == YES_NO_UNSURE:
        return YES_NO_UNSURE_OPTIONS
    if kind == SCALE:
        return SCALE_OPTIONS
    if kind == CHOICE:
        return validate_options(options or ())
    raise OptionsError(f"Unknown poll kind {kind!r}: use one of {', '.join(KINDS)}")


def validate_options(options: Iterable[str]) -> tuple[str, ...]:
    """Custom choice options, stripped; ValueError unless 2-10, non-empty and unique (ignoring case)."""
    cleaned = tuple(str(option).strip() for option in options)
    if not MIN_CHOICES <= len(cleaned) <= MAX_CHOICES:
        raise OptionsError(f"A choice poll needs {MIN_CHOICES} to {MAX_CHOICES} options, not {len(cleaned)}")
    if any(not option for option in cleaned):
        raise OptionsError("Options must not be empty")
    if any(len(option) > MAX_OPTION_LENGTH for option in cleaned):
        raise OptionsError(f"Keep each option to {MAX_OPTION_LENGTH} characters or fewer")
    seen: set[str] = set()
    for option in cleaned:
        if option.casefold() in seen:
            raise OptionsError(f"Option {option!r} is listed twice")
        seen.add(option.casefold())
    return cleaned


def validate_answer(kind: str, options: Sequence[str] | None, answer: str | int) -> str:
    """The option an answer stands for (eg "yes" -> "Yes", 4 -> "4"); ValueError if it is none."""
    allowed = poll_options(kind, options)
    if isinstance(answer, bool) or not isinstance(answer, str | int):
        raise ValueError(f"{answer!r} is not an answer to this poll")
    text = str(answer).strip().casefold()
    for option in allowed:
        if option.casefold() == text:
            return option
    raise ValueError(f"{answer!r} is not one of: {', '.join(allowed)}")


def _mean(counts: dict[str, int]) -> float | None:
    n = sum(counts.values())
    if not n:
        return None
    return float(Fraction(sum(int(option) * count for option, count in counts.items()), n))


def tally(
    kind: str,
    options: Sequence[str] | None,
    answers: Iterable[tuple[str | None, str | int]],
) -> Tally:
    """Count answers overall and per CCG (org None = anonymous); scale polls also get means.

    Invalid answers are not counted but reported in ``invalid``. CCGs appear in ``by_org`` in
    code order, each with every option.
    """
    allowed = poll_options(kind, options)
    overall = dict.fromkeys(allowed, 0)
    by_org: dict[str, dict[str, int]] = {}
    invalid = 0
    for org, answer in answers:
        try:
            option = validate_answer(kind, allowed if kind == CHOICE else None, answer)
        except ValueError:
            invalid += 1
            continue
        overall[option] += 1
        if org is not None:
            by_org.setdefault(org, dict.fromkeys(allowed, 0))[option] += 1
    by_org = {org: by_org[org] for org in sorted(by_org)}
    total = sum(overall.values())
    if kind != SCALE:
        return Tally(allowed, overall, by_org, total, invalid)
    means = {org: m for org, counts in by_org.items() if (m := _mean(counts)) is not None}
    return Tally(allowed, overall, by_org, total, invalid, _mean(overall), means)
