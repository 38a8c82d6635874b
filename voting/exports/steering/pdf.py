"""The printable report as PDF, rendered by WeasyPrint from the same HTML as the print view."""

from __future__ import annotations

from pathlib import Path

PDF_VARIANT = "pdf/ua-1"  # tagged PDF for screen readers, when the installed WeasyPrint offers it


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are not installed."""


def _variant_options() -> dict[str, str]:
    try:
        from weasyprint.pdf import VARIANTS
    except ImportError:
        return {}
    return {"pdf_variant": PDF_VARIANT} if PDF_VARIANT in VARIANTS else {}


def report_pdf(html: str, stylesheet: Path) -> bytes:
    """PDF bytes of the report; the print stylesheet is given as a file, nothing else is fetched."""
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as error:  # OSError: Pango is missing
        raise PdfUnavailable(str(error)) from error
    document = HTML(string=html, base_url=stylesheet.parent.as_uri() + "/")
    pdf: bytes = document.write_pdf(stylesheets=[CSS(filename=str(stylesheet))], **_variant_options())
    return pdf  # no target given, so WeasyPrint returns the bytes
