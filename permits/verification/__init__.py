"""Verification: a fixed, fail-closed sequence of small checks that turns QR text into a verdict.

``result`` holds the verdict model, ``context`` the state the checks share, ``checks`` one class per check
(the place to read any verification rule), and ``verifier`` the ordered pipeline the CLI and the tests use.
"""

from permits.verification.result import CheckResult, Severity, Status, Verdict
from permits.verification.verifier import Verifier

__all__ = ["CheckResult", "Severity", "Status", "Verdict", "Verifier"]
