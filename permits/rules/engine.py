"""Running the rules: every rule over a permit, every finding reported (rules never stop at the first)."""

from __future__ import annotations

from collections.abc import Sequence

from permits.model import Permit
from permits.rules.catalog import RULES
from permits.rules.interface import Finding, Rule, RuleContext
from permits.verification.result import Severity


def evaluate(permit: Permit, context: RuleContext, rules: Sequence[Rule] = RULES) -> list[Finding]:
    """All findings of all rules, in rule order."""
    findings: list[Finding] = []
    for rule in rules:
        findings += rule.check(permit, context)
    return findings


def errors(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that make a permit unacceptable."""
    return [finding for finding in findings if finding.severity is Severity.ERROR]
