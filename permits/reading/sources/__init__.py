"""Input sources: turn a file into page images. ``interface`` defines a source; one module per file kind."""
