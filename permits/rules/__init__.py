"""The CITES rules: what the Convention and its resolutions require of a permit's content.

``interface`` defines a rule and its findings, ``catalog`` holds every rule (one small class each: the one
place to read what is checked and why), ``engine`` runs them. ``cites issue`` refuses to sign when an error
rule fires; ``cites verify`` reports every finding after the signature checks.
"""

from permits.rules.engine import evaluate
from permits.rules.interface import Finding, RememberedListings, Rule, RuleContext

__all__ = ["Finding", "RememberedListings", "Rule", "RuleContext", "evaluate"]
