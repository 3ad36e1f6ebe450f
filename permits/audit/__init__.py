"""Batch audits: verify many permits from files and find the fraud patterns that only show across permits.

``inputs`` streams what to audit from directories, PDFs, images, text, JSON Lines and CSV files; ``runner``
verifies each (in worker processes) exactly as ``cites verify`` does and writes one report row per input;
``findings`` derives the cross-permit findings from the report; ``html`` renders the summary and charts.
"""
