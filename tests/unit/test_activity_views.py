"""The framework's two technical appendix 1 tables, reproduced cell for cell from the demo activity."""

from __future__ import annotations

from fractions import Fraction

import pytest

from voting.activity_demo import activity_csv
from voting.domain.activity import (
    CCG_HEADERS,
    PROVIDER_HEADERS,
    Flow,
    Thresholds,
    ccgs,
    ccgs_for_provider,
    classify_provider,
    percent,
    providers,
    providers_for_ccg,
)
from voting.importers.activity import read_activity

# "Main Providers for a CCG", Alpha CCG 99X, exactly as printed in section 3 of the framework.
FRAMEWORK_ALPHA = [
    ["Oscar NHS FT", "28,470 (48%)", "11,892", "31.4%", "274,659 (51%)", "84,454"],
    ["Papa NHS FT", "24,431 (42%)", "10,590", "23.4%", "230,019 (42%)", "69,854"],
    ["Quebec NHS Trust", "1,028 (2%)", "377", "2.0%", "4,892 (1%)", "1,971"],
    ["Romeo NHS FT", "651 (1%)", "323", "21.0%", "0 (0%)", "0"],
    ["Other", "4,148 (7%)", "2,146", "n/a", "33,786 (6%)", "8,226"],
    ["Total", "58,728 (100%)", "25,328", "n/a", "543,356 (100%)", "164,505"],
]
# "Main commissioning CCGs for a Provider", Oscar NHS FT RZX: the five rows the framework prints.
FRAMEWORK_OSCAR = [
    ["NHS Alpha CCG", "28,470 (31%)", "11,892", "48.5%", "274,659 (31%)", "84,454"],
    ["NHS Bravo CCG", "25,303 (28%)", "11,259", "39.7%", "226,096 (26%)", "71,116"],
    ["NHS Charlie CCG", "10,884 (12%)", "6,825", "16.2%", "113,709 (13%)", "32,945"],
    ["NHS Delta CCG", "4,128 (5%)", "2,665", "5.1%", "50,079 (6%)", "12,649"],
    ["NHS Echo CCG", "3,505 (4%)", "2,144", "4.4%", "38,714 (4%)", "10,367"],
]


@pytest.fixture(scope="module")
def flows() -> list[Flow]:
    result = read_activity(activity_csv())
    assert result.ok, result.problems
    return [
        Flow(
            r.ccg_code,
            r.ccg_name,
            r.provider_code,
            r.provider_name,
            r.admissions,
            r.elective_admissions,
            r.outpatients,
            r.first_outpatients,
        )
        for r in result.rows
    ]


def flow(ccg: str, provider: str, admissions: int, outpatients: int = 0) -> Flow:
    return Flow(ccg, f"{ccg} CCG", provider, f"{provider} FT", admissions, 0, outpatients, 0)


def test_main_providers_for_alpha_is_the_framework_table(flows: list[Flow]) -> None:
    view = providers_for_ccg(flows, "99X")
    assert view is not None
    assert (view.title, view.name, view.code, view.top) == (
        "Main Providers for a CCG",
        "NHS Alpha CCG",
        "99X",
        4,
    )
    assert view.table() == [list(CCG_HEADERS), *FRAMEWORK_ALPHA]
    assert CCG_HEADERS == (
        "Provider (ordered by number of admissions)",
        "Number of Admissions / spells (%)",
        "Of which elective",
        "% of Provider total",
        "Number of Outpatients (%)",
        "Of which first outpatients",
    )


def test_main_ccgs_for_oscar_is_the_framework_table(flows: list[Flow]) -> None:
    view = ccgs_for_provider(flows, "RZX")
    assert view is not None
    assert (view.title, view.name, view.top) == ("Main commissioning CCGs for a Provider", "Oscar NHS FT", 5)
    table = view.table()
    assert table[0] == list(PROVIDER_HEADERS)
    assert table[0][0] == "CCG (ordered by number of admissions)"
    assert table[0][3] == "% of CCG total"
    assert table[1:6] == FRAMEWORK_OSCAR
    # The framework stops at five rows; Other and Total come from the invented remaining CCGs.
    assert table[6:] == [
        ["Other", "18,310 (20%)", "8,100", "n/a", "176,743 (20%)", "53,100"],
        ["Total", "90,600 (100%)", "42,885", "n/a", "880,000 (100%)", "264,631"],
    ]


def test_raw_shares_are_exact(flows: list[Flow]) -> None:
    view = providers_for_ccg(flows, "99X")
    assert view is not None
    oscar = view.rows[0]
    assert oscar.admissions_share == Fraction(28470, 58728)
    assert oscar.counterpart_share == Fraction(28470, 90600)
    assert [row.kind for row in view.rows] == ["row", "row", "row", "row", "other", "total"]


@pytest.mark.parametrize(
    ("share", "places", "text"),
    [
        (Fraction(1, 200), 0, "1%"),  # 0.5% rounds up, where round() would give 0
        (Fraction(25, 1000), 0, "3%"),  # 2.5% -> 3%, where round() would give 2
        (Fraction(145, 1000), 0, "15%"),  # round(0.145 * 100) gives 14 (binary floating point)
        (Fraction(115, 10000), 1, "1.2%"),  # round(1.15, 1) gives 1.1
        (Fraction(1049, 100000), 1, "1.0%"),  # 1.049% stays 1.0%
        (Fraction(28470, 58728), 1, "48.5%"),
        (Fraction(0), 1, "0.0%"),
        (Fraction(1), 0, "100%"),
        (None, 1, "n/a"),
    ],
)
def test_percent_rounds_half_up(share: Fraction | None, places: int, text: str) -> None:
    assert percent(share, places) == text


def test_top_n_moves_the_rest_into_other(flows: list[Flow]) -> None:
    view = providers_for_ccg(flows, "99X", top=1)
    assert view is not None
    assert [row[0] for row in view.table()[1:]] == ["Oscar NHS FT", "Other", "Total"]
    assert view.table()[2] == ["Other", "30,258 (52%)", "13,436", "n/a", "268,697 (49%)", "80,051"]


def test_fewer_counterparts_than_top_gives_an_empty_other() -> None:
    view = ccgs_for_provider([flow("A", "P", 10, 4), flow("B", "P", 30, 0)], "P")
    assert view is not None
    assert view.table()[1:] == [
        ["B CCG", "30 (75%)", "0", "100.0%", "0 (0%)", "0"],
        ["A CCG", "10 (25%)", "0", "100.0%", "4 (100%)", "0"],
        ["Other", "0 (0%)", "0", "n/a", "0 (0%)", "0"],
        ["Total", "40 (100%)", "0", "n/a", "4 (100%)", "0"],
    ]


def test_zero_totals_show_n_a_not_a_division_error() -> None:
    view = providers_for_ccg([flow("A", "P", 0, 0)], "A")
    assert view is not None
    assert view.table()[1] == ["P FT", "0 (n/a)", "0", "n/a", "0 (n/a)", "0"]


def test_ties_are_ordered_by_outpatients_then_name() -> None:
    view = providers_for_ccg([flow("A", "Z", 5, 1), flow("A", "Y", 5, 1), flow("A", "X", 5, 2)], "A")
    assert view is not None
    assert [row.name for row in view.rows] == ["X FT", "Y FT", "Z FT", "Other", "Total"]


def test_unknown_codes_give_no_view(flows: list[Flow]) -> None:
    assert providers_for_ccg(flows, "RZX") is None  # a provider code is not a CCG
    assert ccgs_for_provider(flows, "99X") is None


def test_pickers_list_every_ccg_and_provider_by_name(flows: list[Flow]) -> None:
    assert ccgs(flows)[0] == ("99X", "NHS Alpha CCG")
    assert len(ccgs(flows)) == 11
    assert ("RZX", "Oscar NHS FT") in providers(flows)
    assert len(providers(flows)) == 11


# --- core, linked and specialist low volume ---------------------------------------------------------


def test_oscar_is_core_for_alpha_and_bravo(flows: list[Flow]) -> None:
    relationship = classify_provider(flows, "RZX")
    assert relationship is not None
    assert relationship.kind == "core"
    assert relationship.ccgs == (("99X", "NHS Alpha CCG"), ("99W", "NHS Bravo CCG"))
    assert relationship.reason == (
        "NHS Alpha CCG and NHS Bravo CCG each send at least 20% of their admissions here: "
        "a shared main provider, for comprehensive core collaborative arrangements."
    )


def test_thresholds_are_settings(flows: list[Flow]) -> None:
    relationship = classify_provider(flows, "RZX", Thresholds(core_share_of_ccg=Fraction(15, 100)))
    assert relationship is not None
    assert [code for code, _name in relationship.ccgs] == ["99X", "99W", "99V"]  # Charlie's 16.2% now counts
    assert Thresholds().described()[0] == (
        "Core: at least 2 CCGs each send at least 20% of their admissions to the provider."
    )


def test_tango_is_linked_with_every_ccg(flows: list[Flow]) -> None:
    relationship = classify_provider(flows, "RZT")
    assert relationship is not None
    assert relationship.kind == "linked"
    assert len(relationship.ccgs) == 11
    assert relationship.reason.startswith("11 CCGs each send a small share of their admissions here")


def test_romeo_is_specialist_low_volume(flows: list[Flow]) -> None:
    relationship = classify_provider(flows, "RZR")
    assert relationship is not None
    assert relationship.kind == "specialist low volume"
    assert [code for code, _name in relationship.ccgs] == ["99W", "99V", "99X"]
    assert [code for code, _name in relationship.small] == ["99U", "99T", "99S", "99R", "99Q"]


def test_no_pattern_and_unknown_provider(flows: list[Flow]) -> None:
    relationship = classify_provider(flows, "RZV")
    assert relationship is not None
    assert (relationship.kind, relationship.ccgs) == ("none", ())
    assert classify_provider(flows, "NOPE") is None


def test_a_single_small_ccg_reads_in_the_singular() -> None:
    data = [flow("A", "P", 1000), flow("B", "P", 10), flow("B", "Q", 1000)]
    relationship = classify_provider(data, "P")
    assert relationship is not None
    assert relationship.reason == (
        "B CCG has a far smaller share of its activity, and it is a small part of its business: "
        "specialist low volume arrangements, led by A CCG."
    )
