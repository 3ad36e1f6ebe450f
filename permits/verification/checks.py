"""Every verification check, one small class each, in the order the verifier runs them.

Each check undoes or judges one thing and returns its results; a failed ERROR result stops the pipeline
(fail closed: nothing after a failed layer is trusted). To find why a permit was refused, find the check
whose ``id`` the verdict names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from permits.envelope import decode_base45, inflate, strip_prefix
from permits.envelope.algorithms import Algorithm, verify
from permits.envelope.cose import CoseError, decode_cbor, decode_sign1
from permits.errors import PermitValidationError
from permits.payload import (
    CLAIM_EXP,
    CLAIM_IAT,
    CLAIM_ISS,
    CLAIM_NBF,
    CLAIM_PERMIT,
    LATEST_NUMERIC_DATE,
    end_of_day_timestamp,
    permit_from_map,
    start_of_day_timestamp,
)
from permits.verification.context import VerificationContext
from permits.verification.result import CheckResult, Status, first_failure

T = TypeVar("T")

if TYPE_CHECKING:
    from keys.revocation.interface import RevocationSource
    from permits.ledger.interface import Use
    from permits.rules.interface import ListingSource


class UseLookup(Protocol):
    """What the ledger check asks of a ledger."""

    def use_of(self, party: str, number: str) -> Use | None: ...


class Check(Protocol):
    """One step of verification. A failed error result ends the verification, unless the check says its later
    checks stay meaningful (``stops`` False: a permit that has expired can still be revoked or break a rule)."""

    id: ClassVar[str]
    stops: ClassVar[bool]

    def run(self, context: VerificationContext) -> list[CheckResult]: ...


class BaseCheck:
    """Helpers for checks whose failure gives one fixed status."""

    id: ClassVar[str]
    status: ClassVar[Status]
    stops: ClassVar[bool] = True

    def passed(self, message: str) -> list[CheckResult]:
        return [CheckResult(self.id, True, message)]

    def failed(self, message: str) -> list[CheckResult]:
        return [CheckResult(self.id, False, message, status=self.status)]


def _require(value: T | None) -> T:
    """Checks run in order, so an earlier check has always filled what a later one reads."""
    if value is None:
        raise AssertionError("verification checks ran out of order")
    return value


class PrefixCheck(BaseCheck):
    id = "prefix"
    status = Status.MALFORMED

    def run(self, context: VerificationContext) -> list[CheckResult]:
        try:
            context.body = strip_prefix(_require(context.text), context.prefix)
        except ValueError as error:
            return self.failed(str(error))
        return self.passed(f"context prefix {context.prefix!r}")


class Base45Check(BaseCheck):
    id = "base45"
    status = Status.MALFORMED

    def run(self, context: VerificationContext) -> list[CheckResult]:
        try:
            context.compressed = decode_base45(_require(context.body))
        except ValueError as error:
            return self.failed(str(error))
        return self.passed(f"{len(context.compressed)} bytes")


class ZlibCheck(BaseCheck):
    id = "zlib"
    status = Status.MALFORMED

    def run(self, context: VerificationContext) -> list[CheckResult]:
        try:
            context.cose_bytes = inflate(_require(context.compressed))
        except ValueError as error:
            return self.failed(str(error))
        return self.passed(f"{len(context.cose_bytes)} bytes after decompression")


class CoseStructureCheck(BaseCheck):
    id = "cose"
    status = Status.MALFORMED

    def run(self, context: VerificationContext) -> list[CheckResult]:
        try:
            context.message = decode_sign1(_require(context.cose_bytes), context.strict_cose)
        except CoseError as error:
            return self.failed(f"not a COSE_Sign1 message: {error}")
        return self.passed("COSE_Sign1 structure")


class AlgorithmCheck(BaseCheck):
    id = "alg"
    status = Status.UNSUPPORTED_ALGORITHM

    def run(self, context: VerificationContext) -> list[CheckResult]:
        alg = _require(context.message).alg
        algorithm = Algorithm.from_cose_id(alg)
        if algorithm is None:
            shown = "missing" if alg is None else repr(alg)
            return self.failed(f"signature algorithm {shown} is not allowed (ES256 = -7, EdDSA = -8)")
        context.algorithm = algorithm
        return self.passed(algorithm.value)


class TrustAvailableCheck(BaseCheck):
    id = "trust"
    status = Status.TRUST_UNAVAILABLE

    def run(self, context: VerificationContext) -> list[CheckResult]:
        problem = context.trust.problem(context.today)
        if problem:
            return self.failed(problem)
        return self.passed(context.trust.description)


class KidLookupCheck(BaseCheck):
    id = "kid"
    status = Status.UNKNOWN_KEY

    def run(self, context: VerificationContext) -> list[CheckResult]:
        kid = _require(context.message).kid
        if kid is None:
            return self.failed("the message names no key (no kid header)")
        context.candidates = context.trust.candidates(kid)
        if not context.candidates:
            return self.failed(f"no trusted key has kid {kid.hex()}: the signer is unknown or not trusted")
        return self.passed(f"kid {kid.hex()}: {len(context.candidates)} trusted key(s)")


class KeyAlgorithmCheck(BaseCheck):
    id = "key"
    status = Status.KEY_MISMATCH

    def run(self, context: VerificationContext) -> list[CheckResult]:
        algorithm = _require(context.algorithm)
        pinned = [key for key in context.candidates if key.algorithm is algorithm]
        if not pinned:
            kinds = ", ".join(sorted({key.algorithm.value for key in context.candidates}))
            return self.failed(f"the header says {algorithm.value} but the trusted key is pinned to {kinds}")
        context.candidates = pinned
        return self.passed(f"key pinned to {algorithm.value}")


class SignatureCheck(BaseCheck):
    id = "signature"
    status = Status.BAD_SIGNATURE

    def run(self, context: VerificationContext) -> list[CheckResult]:
        message = _require(context.message)
        signed = message.to_be_signed(context.external_aad)
        for key in context.candidates:
            if verify(key.algorithm, key.public_key, signed, message.signature):
                context.key = key
                return self.passed(f"signed by {key.authority} ({key.party}), kid {key.kid.hex()}")
        return self.failed("the signature does not match: the permit was altered or not signed by a trusted key")


class ClaimsCheck(BaseCheck):
    id = "claims"
    status = Status.MALFORMED

    def run(self, context: VerificationContext) -> list[CheckResult]:
        try:
            claims = decode_cbor(_require(context.message).payload, "the CWT payload")
        except CoseError as error:
            return self.failed(str(error))
        if not isinstance(claims, Mapping):
            return self.failed("the CWT payload must be a map of claims")
        if not isinstance(claims.get(CLAIM_ISS), str):
            return self.failed("claim iss (1) must be the issuing Party's ISO code")
        optional_nbf = ((CLAIM_NBF, "nbf"),) if CLAIM_NBF in claims else ()
        for claim, name in ((CLAIM_IAT, "iat"), (CLAIM_EXP, "exp"), *optional_nbf):
            value = claims.get(claim)
            if type(value) is not int or not 0 <= value <= LATEST_NUMERIC_DATE:
                return self.failed(f"claim {name} ({claim}) must be an integer NumericDate, 0 to {LATEST_NUMERIC_DATE}")
        if CLAIM_PERMIT not in claims:
            return self.failed(f"claim {CLAIM_PERMIT} (the permit) is missing")
        context.claims = dict(claims)
        return self.passed("CWT claims iss, iat, exp and the permit")


class IssuerCheck(BaseCheck):
    id = "issuer"
    status = Status.ISSUER_MISMATCH

    def run(self, context: VerificationContext) -> list[CheckResult]:
        key, iss = _require(context.key), _require(context.claims)[CLAIM_ISS]
        if key.party != iss:
            return self.failed(f"the permit claims issuing Party {iss} but was signed with a key of {key.party}")
        return self.passed(f"issuing Party {iss} matches the key")


class PermitSchemaCheck(BaseCheck):
    id = "schema"
    status = Status.INVALID_PERMIT

    def run(self, context: VerificationContext) -> list[CheckResult]:
        claims = _require(context.claims)
        try:
            permit = permit_from_map(claims[CLAIM_PERMIT])
        except PermitValidationError as error:
            return self.failed(str(error))
        mismatches = _claim_mismatches(claims, permit.issuing_party, permit.valid_until, permit.valid_from)
        issued_at = dt.datetime.fromtimestamp(claims[CLAIM_IAT], dt.UTC).date()
        if abs((issued_at - permit.issued).days) > 1:
            mismatches.append(f"iat ({issued_at}) is not the permit's issue date {permit.issued}")
        if mismatches:
            return self.failed("claims disagree with the permit: " + "; ".join(mismatches))
        context.permit = permit
        return self.passed(f"{permit.document_type.in_words} {permit.number}, {len(permit.items)} line(s)")


def _claim_mismatches(
    claims: Mapping[Any, Any], party: str, valid_until: dt.date, valid_from: dt.date | None
) -> list[str]:
    mismatches = []
    if claims[CLAIM_ISS] != party:
        mismatches.append(f"iss {claims[CLAIM_ISS]} is not the authority's country {party}")
    if claims[CLAIM_EXP] != end_of_day_timestamp(valid_until):
        mismatches.append(f"exp is not the end of valid-until {valid_until}")
    expected_nbf = start_of_day_timestamp(valid_from) if valid_from else None
    if claims.get(CLAIM_NBF) != expected_nbf:
        mismatches.append("nbf does not match valid_from")
    return mismatches


class ValidityDatesCheck(BaseCheck):
    """The validity dates. An expired (or not yet valid) permit is still checked further: the report of an
    audit of last year's permits shows which of them were also revoked, used or against the rules."""

    id = "dates"
    status = Status.EXPIRED
    stops = False

    def run(self, context: VerificationContext) -> list[CheckResult]:
        claims, permit = _require(context.claims), _require(context.permit)
        now = int(context.moment.timestamp())
        skew = int(context.clock_skew.total_seconds())
        if claims[CLAIM_IAT] > now + skew:
            message = f"issued on {permit.issued}, after the time of this check ({context.moment:%Y-%m-%d %H:%M} UTC)"
            return [CheckResult(self.id, False, message, status=Status.NOT_YET_VALID)]
        if CLAIM_NBF in claims and claims[CLAIM_NBF] > now + skew:
            message = f"not valid before {permit.valid_from}"
            return [CheckResult(self.id, False, message, status=Status.NOT_YET_VALID)]
        if now >= claims[CLAIM_EXP] + skew:
            return self.failed(f"expired on {permit.valid_until} (valid until that day)")
        return self.passed(f"valid until {permit.valid_until}")


class KeyWindowCheck(BaseCheck):
    id = "key_window"
    status = Status.KEY_NOT_VALID

    def run(self, context: VerificationContext) -> list[CheckResult]:
        key, permit = _require(context.key), _require(context.permit)
        if key.compromised_since is not None:
            return self.failed(
                f"the signing key {key.kid.hex()} was withdrawn as compromised on {key.compromised_since}"
            )
        if key.valid_from and permit.issued < key.valid_from:
            return self.failed(f"issued {permit.issued}, before the key's validity began on {key.valid_from}")
        if key.valid_to and permit.issued > key.valid_to:
            return self.failed(f"issued {permit.issued}, after the key's validity ended on {key.valid_to}")
        return self.passed("the key was valid on the issue date")


class KeyScopeCheck(BaseCheck):
    id = "scope"
    status = Status.KEY_SCOPE

    def run(self, context: VerificationContext) -> list[CheckResult]:
        key, permit = _require(context.key), _require(context.permit)
        if not key.allows(permit.document_type):
            allowed = ", ".join(sorted(kind.label for kind in key.scope))
            return self.failed(f"the key may sign {allowed} documents, not {permit.document_type.label}")
        return self.passed(f"the key may sign {permit.document_type.label} documents")


class RevocationCheck(BaseCheck):
    """The issuing Party's installed revoked-permit list is usable and does not list the permit."""

    id = "revocation"
    status = Status.REVOKED

    def __init__(self, revocations: RevocationSource) -> None:
        self.revocations = revocations

    def run(self, context: VerificationContext) -> list[CheckResult]:
        permit = _require(context.permit)
        party = permit.issuing_party
        found = self.revocations.status(party, permit.number, context.today)
        if found.problem is not None:
            return [CheckResult(self.id, False, found.problem, status=Status.TRUST_UNAVAILABLE)]
        if found.revocation is not None:
            revoked, reason = found.revocation.revoked, found.revocation.reason.value
            context.extra["revocation"] = {"party": party, "revoked": revoked.isoformat(), "reason": reason}
            return self.failed(f"revoked by {party} on {revoked} (reason: {reason})")
        return self.passed(found.summary)


class RulesCheck:
    """The CITES rules (``permits.rules``) on the signed permit: one result per finding, errors fail. A permit
    that meets them all is told how current the listings were: amendments after the registry's ``as_of`` date
    are unknown to the rules."""

    id: ClassVar[str] = "rules"
    stops: ClassVar[bool] = True

    def __init__(self, registry: ListingSource, as_of: dt.date | None = None) -> None:
        from permits.rules import RememberedListings

        self.registry = RememberedListings(registry)
        self.as_of = as_of

    def run(self, context: VerificationContext) -> list[CheckResult]:
        from permits.rules import RuleContext, evaluate

        permit = _require(context.permit)
        findings = evaluate(permit, RuleContext(self.registry, context.moment.date()))
        results = [
            CheckResult(finding.rule_id, False, finding.describe(), finding.severity, Status.RULE_VIOLATION)
            for finding in findings
        ]
        if first_failure(results) is None:
            met = f"no CITES rule is broken ({len(results)} warning(s))" if results else "every CITES rule is met"
            results.append(CheckResult(self.id, True, met + self._currency(permit.issued)))
        return results

    def _currency(self, issued: dt.date) -> str:
        if self.as_of is None:
            return ""
        if self.as_of < issued:
            return f" (Appendices as of {self.as_of}, before the issue date: later amendments are not known)"
        return f" (Appendices as of {self.as_of})"


class LedgerCheck(BaseCheck):
    """The usage ledger: a permit already endorsed for a shipment is not valid for another one."""

    id = "ledger"
    status = Status.ALREADY_USED

    def __init__(self, ledger: UseLookup) -> None:
        self.ledger = ledger

    def run(self, context: VerificationContext) -> list[CheckResult]:
        permit = _require(context.permit)
        use = self.ledger.use_of(permit.issuing_party, permit.number)
        if use is None:
            return self.passed("not used yet (usage ledger)")
        context.extra["use"] = use.to_json()
        return self.failed(f"already used {use.describe()}")
