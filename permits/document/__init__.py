"""Printable documents: the permit PDF in the layout of the standard CITES form (``render_permit_pdf``).

Imported only by the commands that print (``cites issue``): it loads fpdf2, qrcode and pycountry.
"""

from permits.document.pdf import render_permit_pdf

__all__ = ["render_permit_pdf"]
