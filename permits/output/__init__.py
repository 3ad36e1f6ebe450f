"""Output formats for verdicts: ``human`` (Rich, for the officer at the counter) and ``json`` (for scripts).

Both implement ``interface.VerdictFormat``; the CLI picks one and never formats a verdict itself.
"""
