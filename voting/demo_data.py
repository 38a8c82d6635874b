"""Demo event data reproducing the "Example matrix contracts" of Annex 2.

Annex 2 of *Towards establishment: Framework for collaborative commissioning* (NHS Commissioning
Board, 2012) prints a 20 CCG x 20 contract matrix from the North East. This module rebuilds that
example as importable CSV files so a facilitator can rehearse an event:

* 20 CCGs, "A CCG" ... "U CCG" (there is no F), with code "A" ... "U";
* 20 contract groupings, ids "1" ... "20", with plausible (but invented) North East 2012 names;
* holdings that follow the matrix exactly: a CCG holds a contract unless its cell is "NA"
  (J and P hold contract 7 and 14 but had no position, so their cells are empty);
* annual values and activity that are plausible but entirely made up (population x a per-head
  rate, with a little deterministic jitter from ``random.Random(2012)``).

Pure Python: no Flask or SQLAlchemy, so it can be used from the CLI, tests or a seed script.
"""

from __future__ import annotations

import csv
import io
import random

NA = "NA"
EMPTY_MARK = "."  # an empty cell in the typed-in rows below (as printed: no position)

# Rows exactly as printed in Annex 2; "." stands for an empty cell.
_ANNEX2_ROWS: dict[str, str] = {
    "A": "2  NA NA NA 4 1  1  2  NA NA NA 4 1  1  2  NA NA NA 4 1",
    "B": "2  NA NA NA 4 NA NA 2  NA NA NA 4 NA NA 2  NA NA NA 4 NA",
    "C": "2  NA NA 3  4 1  1  2  NA NA 3  4 1  1  2  NA NA 3  4 1",
    "D": "2  NA NA 3  4 NA NA 2  NA NA 3  4 NA NA 2  NA NA 3  4 NA",
    "E": "2  NA NA 3  4 NA NA 2  NA NA 3  4 NA NA 2  NA NA 3  4 NA",
    "G": "NA 2  NA 3  4 1  1  NA 2  NA 3  4 1  1  NA 2  NA 3  4 1",
    "H": "NA 2  NA 3  4 NA NA NA 2  NA 3  4 NA NA NA 2  NA 3  4 NA",
    "I": "NA 2  NA 3  4 NA NA NA 2  NA 3  4 NA NA NA 2  NA 3  4 NA",
    "J": "NA 2  NA 3  4 1  .  NA 2  NA 3  4 1  .  NA 2  NA 3  4 1",
    "K": "NA 2  NA 3  4 NA NA NA 2  NA 3  4 NA NA NA 2  NA 3  4 NA",
    "L": "NA NA 2  3  4 NA NA NA NA 2  3  4 NA NA NA NA 2  3  4 NA",
    "M": "NA NA 2  3  4 NA NA NA NA 2  3  4 NA NA NA NA 2  3  4 NA",
    "N": "NA NA 2  3  4 NA NA NA NA 2  3  4 NA NA NA NA 2  3  4 NA",
    "O": "2  NA NA NA 4 NA NA 2  NA NA NA 4 NA NA 2  NA NA NA 4 NA",
    "P": "NA 2  NA 3  4 1  .  NA 2  NA 3  4 1  .  NA 2  NA 3  4 1",
    "Q": "NA 2  NA 3  4 NA NA NA 2  NA 3  4 NA NA NA 2  NA 3  4 NA",
    "R": "NA NA 2  3  4 NA NA NA NA 2  3  4 NA NA NA NA 2  3  4 NA",
    "S": "NA NA 2  3  4 NA NA NA NA 2  3  4 NA NA NA NA 2  3  4 NA",
    "T": "NA NA 2  3  4 NA NA NA NA 2  3  4 NA NA NA NA 2  3  4 NA",
    "U": "2  NA NA NA 4 NA NA 2  NA NA NA 4 NA NA 2  NA NA NA 4 NA",
}

ANNEX2_MATRIX: dict[str, list[str]] = {
    code: ["" if cell == EMPTY_MARK else cell for cell in row.split()] for code, row in _ANNEX2_ROWS.items()
}

ORG_CODES: tuple[str, ...] = tuple(ANNEX2_MATRIX)  # A..U without F, in Annex 2 order

# Invented registered populations, used only to scale the demo money and activity.
_POPULATION: dict[str, int] = {
    "A": 316_000, "B": 148_000, "C": 281_000, "D": 162_000, "E": 204_000,
    "G": 275_000, "H": 153_000, "I": 121_000, "J": 312_000, "K": 97_000,
    "L": 278_000, "M": 106_000, "N": 92_000, "O": 139_000, "P": 287_000,
    "Q": 118_000, "R": 190_000, "S": 143_000, "T": 101_000, "U": 176_000,
}  # fmt: skip

# Geography consistent with the small clusters of contracts 1/8/15 ({A,B,C,D,E,O,U}),
# 2/9/16 ({G,H,I,J,K,P,Q}) and 3/10/17 ({L,M,N,R,S,T}); D-G, E-H, K-L and M-Q cross groups.
_BORDERS: tuple[tuple[str, str], ...] = (
    ("A", "B"), ("A", "C"), ("B", "C"), ("B", "U"), ("C", "D"), ("D", "E"), ("E", "O"), ("O", "U"),
    ("G", "H"), ("G", "J"), ("H", "I"), ("H", "K"), ("I", "K"), ("I", "P"), ("J", "P"), ("J", "Q"),
    ("P", "Q"), ("L", "M"), ("L", "N"), ("M", "R"), ("N", "R"), ("N", "S"), ("R", "T"), ("S", "T"),
    ("D", "G"), ("E", "H"), ("K", "L"), ("M", "Q"),
)  # fmt: skip

# id -> (name, GBP per head of population, activity per 1,000 population or None if not meaningful).
# Activity units: acute = spells, community/MH/OOH/MIU = contacts, ambulance = incidents,
# NHS 111 = calls, PTS = journeys, intermediate care = bed days.
CONTRACTS: dict[str, tuple[str, int, int | None]] = {
    "1": ("Acute - Northumbria Healthcare FT", 260, 112),
    "2": ("Acute - City Hospitals Sunderland FT", 245, 106),
    "3": ("Acute - South Tees Hospitals FT", 270, 115),
    "4": ("Mental health - Tees, Esk and Wear Valleys FT", 95, 160),
    "5": ("Ambulance 999 - North East Ambulance Service FT", 28, 118),
    "6": ("GP out of hours service", 9, 95),
    "7": ("Hospice and specialist palliative care", 4, None),
    "8": ("Acute - Newcastle upon Tyne Hospitals FT", 230, 94),
    "9": ("Acute - Gateshead Health FT", 120, 58),
    "10": ("Acute - North Tees and Hartlepool FT", 205, 92),
    "11": ("Independent sector elective care", 18, 12),
    "12": ("NHS 111 - North East", 4, 230),
    "13": ("Voluntary and community sector grants", 2, None),
    "14": ("Intermediate care and step-down beds", 10, 180),
    "15": ("Community services - Northumbria Healthcare FT", 70, 900),
    "16": ("Community services - South Tyneside FT", 65, 850),
    "17": ("Community services - Tees", 68, 880),
    "18": ("Continuing healthcare and funded nursing care", 55, None),
    "19": ("Non-emergency patient transport", 6, 140),
    "20": ("Walk-in centres and minor injury units", 6, 60),
}
CONTRACT_IDS: tuple[str, ...] = tuple(CONTRACTS)


def org_name(code: str) -> str:
    return f"{code} CCG"


def neighbours() -> dict[str, list[str]]:
    """Symmetric neighbour lists, each in A..U order."""
    result: dict[str, set[str]] = {code: set() for code in ORG_CODES}
    for left, right in _BORDERS:
        result[left].add(right)
        result[right].add(left)
    return {code: sorted(result[code], key=ORG_CODES.index) for code in ORG_CODES}


def holds(org: str, contract: str) -> bool:
    """A CCG holds a contract unless its Annex 2 cell is NA (an empty cell still holds)."""
    return ANNEX2_MATRIX[org][CONTRACT_IDS.index(contract)] != NA


def _to_csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def organisations_csv() -> bytes:
    """``code,name,neighbours`` with neighbours ';'-separated; one row per CCG in A..U order."""
    links = neighbours()
    rows: list[list[object]] = [[code, org_name(code), ";".join(links[code])] for code in ORG_CODES]
    return _to_csv(["code", "name", "neighbours"], rows)


def contracts_csv() -> bytes:
    """Long form: one row per (contract, holding CCG), contracts 1..20, CCGs in A..U order."""
    rng = random.Random(2012)  # noqa: S311 - demo jitter, not security; fresh so output is identical
    rows: list[list[object]] = []
    for contract, (name, per_head, per_thousand) in CONTRACTS.items():
        for org in ORG_CODES:
            if not holds(org, contract):
                continue
            population = _POPULATION[org]
            jitter = rng.uniform(0.85, 1.15)
            value = round(population * per_head * jitter, -3)
            activity = "" if per_thousand is None else round(population * per_thousand / 1000 * jitter)
            rows.append([contract, name, org, int(value), activity])
    return _to_csv(["contract", "contract_name", "organisation", "annual_value_gbp", "activity"], rows)


def annex2_votes() -> list[tuple[str, str, int]]:
    """(org, contract, level) for every numeric Annex 2 cell, in A..U then 1..20 order."""
    return [
        (org, contract, int(cell))
        for org, cells in ANNEX2_MATRIX.items()
        for contract, cell in zip(CONTRACT_IDS, cells, strict=True)
        if cell not in (NA, "")
    ]
