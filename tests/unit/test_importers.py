"""Unit tests for the organisation and contract importers (pure: bytes in, rows or problems out)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from voting.importers import (
    MAX_BYTES,
    MAX_ROWS,
    HoldingRow,
    OrganisationRow,
    Problem,
    contract_order,
    contracts_template_csv,
    contracts_template_xlsx,
    organisations_template_csv,
    organisations_template_xlsx,
    read_contracts,
    read_organisations,
    template_organisation_codes,
)

CONTRACT_HEADER = "contract,contract_name,organisation,annual_value_gbp,activity"
KNOWN = ("00Q", "00R", "7")


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(*rows: tuple[object, ...], extra_sheet_first: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    if extra_sheet_first:
        workbook.create_sheet("Other", 1).append(["nothing", "here"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def triples(problems: tuple[Problem, ...]) -> list[tuple[int, str | None, str]]:
    return [(p.line, p.column, p.message) for p in problems]


# --- organisations ---------------------------------------------------------------------------------


def test_good_organisations_csv_keeps_codes_as_text() -> None:
    result = read_organisations(
        csv_bytes("code,name,neighbours", "00Q,Alpha CCG,00R; 007", "00R,Beta CCG,", "007,Gamma,00Q")
    )
    assert result.ok
    assert result.rows == (
        OrganisationRow(2, "00Q", "Alpha CCG", ("00R", "007")),
        OrganisationRow(3, "00R", "Beta CCG", ()),
        OrganisationRow(4, "007", "Gamma", ("00Q",)),
    )


def test_good_organisations_xlsx_numeric_code_becomes_text() -> None:
    data = xlsx_bytes(
        ("code", "name", "neighbours"), ("00Q", "Alpha", 7), (7, "Seven", "00Q"), (8.0, "Eight", None)
    )
    result = read_organisations(data)
    assert result.problems == ()
    assert [(r.line, r.code, r.neighbours) for r in result.rows] == [
        (2, "00Q", ("7",)),
        (3, "7", ("00Q",)),
        (4, "8", ()),
    ]


def test_xlsx_reads_only_the_first_worksheet() -> None:
    result = read_organisations(
        xlsx_bytes(("code", "name", "neighbours"), ("A", "Alpha", ""), extra_sheet_first=True)
    )
    assert [r.code for r in result.rows] == ["A"]


def test_bom_header_case_spaces_and_unknown_columns() -> None:
    data = "\ufeff Code , NAME,Notes, Neighbours \n00Q,Alpha,ignored,\n".encode()
    result = read_organisations(data)
    assert result.ok
    assert result.rows == (OrganisationRow(2, "00Q", "Alpha", ()),)


def test_neighbour_cell_trims_and_drops_empties() -> None:
    result = read_organisations(
        csv_bytes("code,name,neighbours", 'A,Alpha," B ;; C ;"', "B,Beta,A", "C,Gamma,")
    )
    assert result.rows[0].neighbours == ("B", "C")


def test_organisation_problems_are_all_reported_with_line_and_column() -> None:
    data = csv_bytes(
        "code,name,neighbours",
        "00Q,Alpha,00R;ZZ",  # 2: unknown neighbour ZZ
        ",Nameless,",  # 3: empty code
        "00R,,00R",  # 4: empty name, own neighbour
        "00Q,Alpha again,",  # 5: duplicate of line 2
        "00S,Sigma,00q",  # 6: wrong case
    )
    result = read_organisations(data)
    assert not result.ok
    assert result.rows == ()
    assert triples(result.problems) == [
        (2, "neighbours", "Neighbour code 'ZZ' is not an organisation in this file."),
        (3, "code", "The organisation code is empty."),
        (4, "name", "The organisation name is empty."),
        (4, "neighbours", "An organisation cannot be its own neighbour ('00R')."),
        (5, "code", "Code '00Q' is already used on line 2. Codes must be unique."),
        (
            6,
            "neighbours",
            "Neighbour code '00q' is not an organisation in this file. "
            "Codes are case-sensitive: did you mean '00Q'?",
        ),
    ]


def test_problem_str_and_dict() -> None:
    problem = Problem(5, "annual_value_gbp", "'12x' is not a number.")
    assert str(problem) == "Line 5, column annual_value_gbp: '12x' is not a number."
    assert problem.to_dict() == {"line": 5, "column": "annual_value_gbp", "message": "'12x' is not a number."}
    assert str(Problem(2, None, "The file has no rows under the header.")) == (
        "Line 2: The file has no rows under the header."
    )
    assert str(Problem(0, None, "Too big.")) == "Too big."


def test_blank_rows_are_skipped_and_line_numbers_kept() -> None:
    result = read_organisations(
        csv_bytes("code,name,neighbours", "", ",,", "A,Alpha,", "  ,  , ", "B,Beta,A")
    )
    assert [(r.line, r.code) for r in result.rows] == [(4, "A"), (6, "B")]
    data = xlsx_bytes(
        ("code", "name", "neighbours"), (None, None, None), ("A", "Alpha", None), (), ("B", "", None)
    )
    assert triples(read_organisations(data).problems) == [(5, "name", "The organisation name is empty.")]


def test_header_only_file_has_no_rows() -> None:
    result = read_organisations(csv_bytes("code,name,neighbours", ",,", ""))
    assert triples(result.problems) == [(2, None, "The file has no rows under the header.")]
    result = read_organisations(xlsx_bytes(("code", "name", "neighbours")))
    assert triples(result.problems) == [(2, None, "The file has no rows under the header.")]


def test_empty_file() -> None:
    assert read_organisations(b"").problems[0].line == 1
    assert "The file is empty" in read_organisations(b"").problems[0].message


def test_windows_1252_csv_from_excel_is_read() -> None:
    data = "code,name,neighbours\nA,Alpha,\nB,Caf\u00e9 \u00a3 CCG,\n".encode("cp1252")
    result = read_organisations(data)
    assert result.ok, result.problems
    assert result.rows[1].name == "Caf\u00e9 \u00a3 CCG"


def test_undecodable_csv_gives_one_clear_problem() -> None:
    data = b"code,name,neighbours\nA,Alpha,\nB,Bad \x81\xe9,\n"
    result = read_organisations(data)
    assert len(result.problems) == 1
    assert result.problems[0].line == 3
    assert "not UTF-8" in result.problems[0].message


def test_semicolon_and_tab_delimiters_are_sniffed() -> None:
    result = read_organisations(csv_bytes("code;name;neighbours", "A;Alpha;B", "B;Beta;"))
    assert result.ok and result.rows[0].neighbours == ("B",)
    result = read_organisations(csv_bytes("code\tname\tneighbours", "A\tAlpha\t", "B\tBeta\tA"))
    assert result.ok and result.rows[1].neighbours == ("A",)


def test_damaged_xlsx_and_old_xls_are_rejected_clearly() -> None:
    assert "could not be opened" in read_organisations(b"PK\x03\x04 not really a zip").problems[0].message
    assert ".xls" in read_organisations(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100).problems[0].message


def test_file_size_and_row_limits() -> None:
    too_big = read_organisations(b"code,name,neighbours\n" + b"x" * MAX_BYTES)
    assert triples(too_big.problems) == [
        (0, None, "The file is larger than the 5 MB limit. Remove unused sheets or rows.")
    ]
    lines = ["code,name,neighbours"] + [f"C{i},Org {i}," for i in range(MAX_ROWS + 1)]
    too_many = read_organisations(csv_bytes(*lines))
    assert len(too_many.problems) == 1
    assert too_many.problems[0].line == MAX_ROWS + 2
    assert "more than 50,000 rows" in too_many.problems[0].message
    lines.pop()
    assert read_organisations(csv_bytes(*lines)).ok


def test_too_long_code_is_reported() -> None:
    result = read_organisations(csv_bytes("code,name,neighbours", f"{'X' * 41},Long,"))
    assert triples(result.problems) == [
        (2, "code", "The organisation code is 41 characters long; the limit is 40.")
    ]


# --- contracts -------------------------------------------------------------------------------------


def test_good_contracts_csv() -> None:
    data = csv_bytes(
        CONTRACT_HEADER + ",description",
        '1,Acute - Example FT,00Q,"£1,234,567.50",1200,',
        "1,Acute - Example FT,00R,£ 250000,,First description",
        "ACUTE-01,Community,00Q,0.5,3.25,Community services",
        '1,Acute - Example FT,7,"12,000",0,Later description',
    )
    result = read_contracts(data, KNOWN)
    assert result.ok
    assert result.rows[0] == HoldingRow(
        2, "1", "Acute - Example FT", "00Q", Decimal("1234567.50"), Decimal("1200"), ""
    )
    assert [(r.organisation, r.annual_value_gbp, r.activity) for r in result.rows] == [
        ("00Q", Decimal("1234567.50"), Decimal("1200")),
        ("00R", Decimal("250000"), None),
        ("00Q", Decimal("0.5"), Decimal("3.25")),
        ("7", Decimal("12000"), Decimal("0")),
    ]
    assert contract_order(result.rows) == [
        ("1", "Acute - Example FT", "First description"),
        ("ACUTE-01", "Community", "Community services"),
    ]


def test_good_contracts_xlsx_numeric_cells() -> None:
    data = xlsx_bytes(
        ("Contract", "Contract_Name", "Organisation", "Annual_Value_GBP", "Activity"),
        (7, "Mental health", "00Q", 1250000, 12.5),
        (7.0, "Mental health", 7, 99999.99, None),
        ("1", "Acute", "00R", "£2,000", "3"),
    )
    result = read_contracts(data, KNOWN)
    assert result.problems == ()
    assert [(r.line, r.contract, r.organisation, r.annual_value_gbp, r.activity) for r in result.rows] == [
        (2, "7", "00Q", Decimal("1250000"), Decimal("12.5")),
        (3, "7", "7", Decimal("99999.99"), None),
        (4, "1", "00R", Decimal("2000"), Decimal("3")),
    ]
    assert contract_order(result.rows) == [("7", "Mental health", ""), ("1", "Acute", "")]


def test_contract_problems_are_all_reported_with_line_and_column() -> None:
    data = csv_bytes(
        CONTRACT_HEADER,
        "1,Acute,00Q,12x,",  # 2: not a number
        "1,Acute FT,00R,100,-3",  # 3: different name, negative activity
        "1,Acute,ZZ,100,",  # 4: unknown organisation
        "1,Acute,00Q,,",  # 5: empty value, duplicate holding of line 2
        ",,00R,-5,abc",  # 6: empty id and name, negative value, bad activity
        '2,Community,00R,"1,5",',  # 7: "1,5" is not a thousands-grouped number
        "2,Community,00r,10.001,",  # 8: more than two decimal places, wrong case
    )
    result = read_contracts(data, KNOWN)
    assert result.rows == ()
    assert triples(result.problems) == [
        (2, "annual_value_gbp", "'12x' is not a number."),
        (3, "activity", "'-3' is negative; the activity must be zero or more."),
        (
            3,
            "contract_name",
            "Contract '1' is called 'Acute' on line 2 but 'Acute FT' here. "
            "Use the same name on every row of a contract.",
        ),
        (
            4,
            "organisation",
            "Organisation 'ZZ' is not in this event; import the organisations first or check the code.",
        ),
        (5, "annual_value_gbp", "The annual value is empty. Enter a number, e.g. 1250000."),
        (5, "organisation", "Organisation '00Q' is already listed for contract '1' on line 2."),
        (6, "contract", "The contract id is empty."),
        (6, "contract_name", "The contract name is empty."),
        (6, "annual_value_gbp", "'-5' is negative; the annual value must be zero or more."),
        (6, "activity", "'abc' is not a number."),
        (7, "annual_value_gbp", "'1,5' is not a number."),
        (8, "annual_value_gbp", "'10.001' has more than 2 decimal places."),
        (
            8,
            "organisation",
            "Organisation '00r' is not in this event; import the organisations first or check the code. "
            "Codes are case-sensitive: did you mean '00R'?",
        ),
    ]
    assert str(result.problems[0]) == "Line 2, column annual_value_gbp: '12x' is not a number."


def test_missing_column_is_reported_at_line_one() -> None:
    data = csv_bytes("contract,contract_name,organisation,annual_value_gbp", "1,Acute,00Q,10")
    result = read_contracts(data, KNOWN)
    assert triples(result.problems) == [
        (
            1,
            "activity",
            "Missing column 'activity'. The header must be: "
            "contract,contract_name,organisation,annual_value_gbp,activity",
        )
    ]


def test_every_missing_and_repeated_column_is_reported() -> None:
    data = xlsx_bytes(("contract", "Contract", "value"), (1, 1, 1))
    result = read_contracts(data, KNOWN)
    assert [(p.line, p.column) for p in result.problems] == [
        (1, "contract"),
        (1, "contract_name"),
        (1, "organisation"),
        (1, "annual_value_gbp"),
        (1, "activity"),
    ]
    assert result.problems[0].message == "Column 'contract' appears more than once in the header."


def test_contract_order_is_order_of_first_appearance() -> None:
    data = csv_bytes(
        CONTRACT_HEADER + ",description",
        "3,Third,00Q,1,,",
        "1,First,00Q,1,,",
        "3,Third,00R,1,,Described late",
        "2,Second,00Q,1,,Two",
        "1,First,00R,1,,",
    )
    result = read_contracts(data, KNOWN)
    assert contract_order(result.rows) == [
        ("3", "Third", "Described late"),
        ("1", "First", ""),
        ("2", "Second", "Two"),
    ]


def test_contracts_with_no_known_organisations_reports_every_row() -> None:
    result = read_contracts(csv_bytes(CONTRACT_HEADER, "1,Acute,00Q,1,", "1,Acute,00R,1,"), ())
    assert [(p.line, p.column) for p in result.problems] == [(2, "organisation"), (3, "organisation")]


# --- templates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", [organisations_template_csv, organisations_template_xlsx])
def test_organisation_templates_parse_back_cleanly(template) -> None:
    result = read_organisations(template())
    assert result.problems == ()
    assert [(r.code, r.name, r.neighbours) for r in result.rows] == [
        ("00Q", "Alpha CCG", ("00R",)),
        ("00R", "Beta CCG", ("00Q",)),
    ]
    assert tuple(r.code for r in result.rows) == template_organisation_codes()


@pytest.mark.parametrize("template", [contracts_template_csv, contracts_template_xlsx])
def test_contract_templates_parse_back_cleanly(template) -> None:
    result = read_contracts(template(), template_organisation_codes())
    assert result.problems == ()
    assert len(result.rows) == 2
    assert [r.organisation for r in result.rows] == ["00Q", "00R"]
    assert contract_order(result.rows)[0][:2] == ("1", "Acute - Example FT")


def test_csv_templates_have_bom_and_xlsx_templates_keep_codes_as_text() -> None:
    assert organisations_template_csv().startswith(b"\xef\xbb\xbfcode,name,neighbours\r\n")
    assert contracts_template_csv().startswith(b"\xef\xbb\xbf" + CONTRACT_HEADER.encode())
    sheet = openpyxl.load_workbook(io.BytesIO(organisations_template_xlsx())).worksheets[0]
    assert sheet["A2"].value == "00Q"
    assert sheet["A2"].number_format == "@"
    sheet = openpyxl.load_workbook(io.BytesIO(contracts_template_xlsx())).worksheets[0]
    assert sheet["A2"].value == "1"
    assert sheet["A2"].number_format == "@"


def test_unclosed_quote_in_csv_is_one_problem_on_its_line() -> None:
    result = read_organisations(csv_bytes("code,name,neighbours", "B,Beta,", '"A,Alpha,', "C,Gamma,"))
    assert [(p.line, p.column) for p in result.problems] == [(3, None)]
    assert "could not be read as CSV" in result.problems[0].message
