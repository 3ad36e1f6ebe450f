"""Input sources: turn a file into grey page images. ``interface.PageSource`` defines one; a module per kind of
file (``images``, ``pdf``), recognised by its first bytes."""
