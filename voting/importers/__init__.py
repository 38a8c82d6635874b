"""Pure importers for organisation and contract uploads (CSV or XLSX bytes); no Flask, no SQLAlchemy.

A bad file is rejected whole: callers must write nothing unless `result.ok`.
"""

from voting.importers.bounds import MAX_ROWS
from voting.importers.contracts import HoldingRow, contract_order, read_contracts
from voting.importers.organisations import OrganisationRow, read_organisations
from voting.importers.problems import ImportResult, Problem
from voting.importers.table import MAX_BYTES, is_xlsx
from voting.importers.templates import (
    contracts_template_csv,
    contracts_template_xlsx,
    organisations_template_csv,
    organisations_template_xlsx,
    template_organisation_codes,
)

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "HoldingRow",
    "ImportResult",
    "OrganisationRow",
    "Problem",
    "contract_order",
    "contracts_template_csv",
    "contracts_template_xlsx",
    "is_xlsx",
    "organisations_template_csv",
    "organisations_template_xlsx",
    "read_contracts",
    "read_organisations",
    "template_organisation_codes",
]
