"""Printable documents: the permit PDF in the layout of the standard CITES form."""
