"""Read the contracts upload in long form: one row per organisation that holds a contract."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from voting.importers.fields import RowChecker, case_hint, fold
from voting.importers.problems import ImportResult, finish
from voting.importers.table import read_table

COLUMNS = ("contract", "contract_name", "organisation", "annual_value_gbp", "activity")
OPTIONAL = ("description",)
CODE_MAX = 40
NAME_MAX = 200
TEXT_MAX = 2000  # description
PENCE = 2  # decimal places allowed in annual_value_gbp (stored as whole pence)


@dataclass(frozen=True)
class HoldingRow:
    """One organisation's holding in one contract, as uploaded."""

    line: int
    contract: str
    contract_name: str
    organisation: str
    annual_value_gbp: Decimal
    activity: Decimal | None
    description: str


def read_contracts(data: bytes, known_organisations: Collection[str]) -> ImportResult[HoldingRow]:
    """Parse a contracts CSV or XLSX upload against the event's organisation codes; report every problem."""
    known = set(known_organisations)
    folded = fold(known)
    records, problems = read_table(data, COLUMNS, OPTIONAL)
    if problems:
        return finish([], problems)
    rows: list[HoldingRow] = []
    names: dict[str, tuple[str, int]] = {}  # contract -> (name, line it was first given on)
    holders: dict[tuple[str, str], int] = {}  # (contract, organisation) -> first line
    for line, values in records:
        check = RowChecker(line, values, problems)
        contract = check.text("contract", what="contract id", max_length=CODE_MAX)
        name = check.text("contract_name", what="contract name", max_length=NAME_MAX)
        organisation = check.text("organisation", what="organisation code", max_length=CODE_MAX)
        value = check.number(
            "annual_value_gbp", what="annual value", required=True, pounds=True, places=PENCE
        )
        activity = check.number("activity", what="activity", required=False)
        description = check.text("description", what="description", max_length=TEXT_MAX, required=False)
        if contract and name:
            first_name, first_line = names.setdefault(contract, (name, line))
            if name != first_name:
                check.problem(
                    "contract_name",
                    f"Contract '{contract}' is called '{first_name}' on line {first_line} but '{name}' here. "
                    "Use the same name on every row of a contract.",
                )
        if organisation and organisation not in known:
            check.problem(
                "organisation",
                f"Organisation '{organisation}' is not in this event; import the organisations first "
                f"or check the code.{case_hint(organisation, folded)}",
            )
        if contract and organisation:
            earlier = holders.setdefault((contract, organisation), line)
            if earlier != line:
                check.problem(
                    "organisation",
                    f"Organisation '{organisation}' is already listed for contract '{contract}' "
                    f"on line {earlier}.",
                )
        if value is not None:
            rows.append(HoldingRow(line, contract, name, organisation, value, activity, description))
    return finish(rows, problems)


def contract_order(rows: Iterable[HoldingRow]) -> list[tuple[str, str, str]]:
    """(contract id, name, description) in order of first appearance; first non-empty description wins."""
    contracts: dict[str, list[str]] = {}
    for row in rows:
        entry = contracts.setdefault(row.contract, [row.contract_name, row.description])
        if not entry[1] and row.description:
            entry[1] = row.description
    return [(contract, name, description) for contract, (name, description) in contracts.items()]
