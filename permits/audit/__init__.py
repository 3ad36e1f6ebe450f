"""Batch audits (``cites audit``): verify many permits exactly as ``cites verify`` does, and find the frauds that
only show across permits.

``inputs/`` streams the units of work from folders, PDFs, images, text, JSON Lines and CSV files (one source per
kind of file); ``runner`` judges them in worker processes and appends one report row per permit, resumably;
``index`` keeps the few facts of each row the batch-wide analysis needs in a temporary SQLite file;
``findings`` holds one query per kind of cross-permit finding; ``reports/`` writes the rows (JSON Lines, CSV)
and the HTML summary page.
"""
