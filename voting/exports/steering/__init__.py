"""The steering pack (issue item 8): gather once, then write XLSX, CSV zip, JSON, HTML and PDF."""

from voting.exports.steering.csv_zip import pack_zip
from voting.exports.steering.gather import gather_pack
from voting.exports.steering.html import report_view
from voting.exports.steering.json_pack import pack_json
from voting.exports.steering.pdf import PdfUnavailable, report_pdf
from voting.exports.steering.xlsx import pack_xlsx

__all__ = ["PdfUnavailable", "gather_pack", "pack_json", "pack_xlsx", "pack_zip", "report_pdf", "report_view"]
