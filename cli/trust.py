"""``cites trust``: signed trust lists (root holders, Management Authorities, verifiers) and the local
development store.

Signed trust lists (TUF-style, docs/FORMAT.md "Trust lists"): root holders create a k-of-n root
(``root-init``), draft lists from Management Authorities' key proposals (``propose-key``, ``draft``), sign them
k of n (``sign``) and ``publish`` them; verifiers pin the root once (``init-root``), then install lists
(``update``) and new roots (``rotate-root``). ``add``/``list``/``remove`` edit the unsigned local store
(development mode), which verification uses only while no root is pinned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.options import out_option, parse_day, party_code, signature_algorithm

if TYPE_CHECKING:
    import datetime as dt

    from keys.keyfile import SigningKey
    from keys.trust.signed_list import TrustList

ROOT_PANEL = "Root holders"
AUTHORITY_PANEL = "Management Authorities"
VERIFIER_PANEL = "Verifiers (border posts)"
DEVELOPMENT_PANEL = "Development mode (unsigned local store)"
DEFAULT_ROOT_DAYS = 365
MAX_VERSION = 2**31 - 1
"""Highest version ``draft`` takes: a list version rises by one per list, so a larger one is a typing error (and
one past 2**53 - 1 could not be read back)."""

trust_app = typer.Typer(
    help="Which Management Authority keys this machine trusts: signed trust lists, or the local development store.",
    no_args_is_help=True,
)


def _date(value: str | None, option: str) -> dt.date | None:
    return None if value is None else parse_day(value, option)


def _dated_keys(values: list[str] | None, option: str) -> dict[str, dt.date]:
    """``KEYID=YYYY-MM-DD`` options as a mapping of key-id prefixes to dates."""
    from permits.errors import InputError

    result = {}
    for value in values or []:
        prefix, separator, day = value.partition("=")
        if not separator:
            raise InputError(f"{option}: '{value}' is not KEYID=YYYY-MM-DD")
        result[prefix.strip().lower()] = parse_day(day, option)
    return result


def _root_signing_key(path: Path) -> SigningKey:
    from keys.keyfile import load_signing_key
    from keys.passphrase import passphrase_from_environment_or_prompt
    from keys.trust.root import require_root_key

    return require_root_key(load_signing_key(path, passphrase_from_environment_or_prompt), path)


@trust_app.command("root-init", rich_help_panel=ROOT_PANEL)
def root_init(
    keys: Annotated[int, typer.Option("--keys", min=1, max=50, help="How many root keys to create (n).")],
    threshold: Annotated[int, typer.Option(min=1, help="How many root keys must sign (k of n).")],
    out: Annotated[Path, out_option("Directory for the root keys and root.json.")],
    alg: Annotated[str, typer.Option(help="Signature algorithm of the new keys: ES256 or EdDSA.")] = "ES256",
    expires: Annotated[str | None, typer.Option(help="Last day the root is valid (default: in 365 days).")] = None,
    base: Annotated[Path | None, typer.Option(help="The current root: make its next version (rotation).")] = None,
    keep: Annotated[list[str] | None, typer.Option(help="With --base: key id of a current root key to keep.")] = None,
) -> None:
    """Create n encrypted root keys and root metadata (version 1, or the next version of --base).

    Version 1 is signed by every new key and ready to pin. A next version is signed by its new keys; the
    current root's holders then add their signatures (cites trust sign) and publish it (cites trust publish).
    """
    import datetime as dt

    from keys.keyfile import load_signing_key
    from keys.passphrase import passphrase_from_environment_or_prompt
    from keys.signed import today_utc
    from keys.trust.root import create_root, load_root

    today = today_utc()
    until = _date(expires, "--expires") or today + dt.timedelta(days=DEFAULT_ROOT_DAYS)
    current = load_root(base) if base else None
    made = create_root(
        keys, threshold, signature_algorithm(alg), out, passphrase_from_environment_or_prompt,
        lambda path: load_signing_key(path, passphrase_from_environment_or_prompt),
        today=today, expires=until, current=current, keep=keep or [],
    )  # fmt: skip
    typer.echo(f"root v{made.version}: {made.keys} keys, threshold {threshold}, expires {until}")
    typer.echo(f"fingerprint: {made.document.fingerprint()}")
    for created in made.files:
        typer.echo(f"root key: {created.private} (encrypted, mode 0600)")
    typer.echo(f"root metadata: {made.path}")
    if current is not None:
        typer.echo(
            f"next: {current.threshold} holder(s) of {current.label} sign it (cites trust sign {made.path} --key KEY), "
            f"then cites trust publish {made.path} --root {base} --out FILE"
        )


@trust_app.command("propose-key", rich_help_panel=AUTHORITY_PANEL)
def propose_key(
    key_cert: Annotated[Path, typer.Argument(help="The authority's certificate (.cert.pem) or public key.")],
    party: Annotated[str, typer.Option(help="Party the key signs for (ISO alpha-2).")],
    authority: Annotated[str | None, typer.Option(help="Authority name (default: from the certificate).")] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(help="Document type the key may sign: export, re-export, import, other (repeat; default all)."),
    ] = None,
    valid_from: Annotated[str | None, typer.Option(help="First issue date the key may sign (default today).")] = None,
    valid_to: Annotated[str | None, typer.Option(help="Last issue date the key may sign (default: open).")] = None,
    out: Annotated[
        Path | None, out_option("Proposal file (default: PARTY-KID.entry.json, e.g. KE-4a9d18ba45bf912b.entry.json).")
    ] = None,
) -> None:
    """Export a Management Authority key as a trust-list entry for the root holders (a key proposal).

    The proposal is not signed: the root holders confirm its kid with the authority before listing it.
    """
    from keys.keyfile import load_public_key
    from keys.signed import today_utc
    from keys.trust.signed_list import SCOPE_NAMES, parse_scope, proposal_for, write_proposal
    from permits.errors import InputError

    code = party_code(party)
    info = load_public_key(key_cert)
    name = (authority or info.authority or "").strip()
    if not name:
        raise InputError("--authority: the certificate names no authority; give --authority")
    names = [part.strip() for value in scope or list(SCOPE_NAMES) for part in value.split(",") if part.strip()]
    entry = proposal_for(
        info,
        code,
        name,
        parse_scope(names, "--scope"),
        _date(valid_from, "--valid-from") or today_utc(),
        _date(valid_to, "--valid-to"),
    )
    target = out or Path(f"{code}-{entry.kid.hex()}.entry.json")
    write_proposal(target, entry)
    typer.echo(f"proposed {entry.key.algorithm.value} key {entry.kid.hex()} of {code} ({name}): {target}")
    typer.echo(f"key id (SHA-256): {entry.key.keyid}")


@trust_app.command("draft", rich_help_panel=ROOT_PANEL)
def draft(
    expires: Annotated[str, typer.Option(help="Last day the list is valid (YYYY-MM-DD).")],
    out: Annotated[Path, out_option("The unsigned list to write.")],
    entries: Annotated[list[Path] | None, typer.Argument(help="Key proposals to add (or to update a key).")] = None,
    version: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_VERSION, help="List version (default: --base's + 1, else 1)."),
    ] = None,
    base: Annotated[Path | None, typer.Option(help="The current list: its keys are carried over.")] = None,
    retire: Annotated[
        list[str] | None, typer.Option(help="KEYID=DATE: the key signs nothing issued after DATE (rotation).")
    ] = None,
    compromised: Annotated[
        list[str] | None, typer.Option(help="KEYID=DATE: the key is compromised; all it signed is void.")
    ] = None,
) -> None:
    """Build an unsigned trust list from key proposals (and the current list), ready for root signatures."""
    from keys.signed import today_utc
    from keys.trust.signed_list import draft_trust_list, load_proposal, load_trust_list

    until = parse_day(expires, "--expires")
    document = draft_trust_list(
        load_trust_list(base) if base else None,
        [load_proposal(path) for path in entries or []],
        version=version,
        expires=until,
        retire=_dated_keys(retire, "--retire"),
        compromised=_dated_keys(compromised, "--compromised"),
        today=today_utc(),
        source=str(out),
    )
    document.write(out)
    keys = document.signed["keys"]
    typer.echo(f"drafted trust list v{document.signed['version']} with {len(keys)} key(s), expires {until}: {out}")
    typer.echo(f"fingerprint: {document.fingerprint()}")


@trust_app.command("sign", rich_help_panel=ROOT_PANEL)
def sign_document(
    document_file: Annotated[Path, typer.Argument(help="A drafted trust list or root metadata.")],
    key: Annotated[Path, typer.Option(help="Your root key (.key.pem).")],
    out: Annotated[Path | None, out_option("Where to write the signed file (default: in place).")] = None,
) -> None:
    """Add your root key's signature to a trust list or root metadata (k of n holders each sign once)."""
    from keys.signed import require_not_expired, today_utc
    from keys.trust.root import Root, load_root_or_list

    loaded = load_root_or_list(document_file)
    what, header = ("root" if isinstance(loaded, Root) else "trust list"), loaded.header
    require_not_expired(str(document_file), what, header, today_utc())
    signed = loaded.document.add_signature(_root_signing_key(key))
    signed.write(out or document_file)
    typer.echo(f"signed {what} v{header.version}: {len(signed.signatures)} signature(s); {out or document_file}")
    typer.echo(f"fingerprint: {signed.fingerprint()}")


@trust_app.command("publish", rich_help_panel=ROOT_PANEL)
def publish(
    document_file: Annotated[Path, typer.Argument(help="A signed trust list or root metadata.")],
    out: Annotated[Path, out_option("The final file to distribute.")],
    root: Annotated[
        Path | None, typer.Option(help="The root that must have signed it (default: the pinned root).")
    ] = None,
) -> None:
    """Check the signatures meet the threshold (both roots' for a new root) and write the final file.

    Exit codes: 0 published; 1 threshold not met or expired; 2 unreadable or malformed input.
    """
    from keys.signed import today_utc
    from keys.trust.installed import pinned_root
    from keys.trust.root import (
        Root,
        list_signatures_to_publish,
        load_root,
        load_root_or_list,
        root_signatures_to_publish,
    )

    loaded = load_root_or_list(document_file)
    signer = load_root(root) if root else pinned_root()
    if isinstance(loaded, Root):
        keyids = root_signatures_to_publish(loaded, signer, today_utc())
        what = "root"
    else:
        keyids = list_signatures_to_publish(loaded, signer, today_utc())
        what = "trust list"
    document, version = loaded.document, loaded.header.version
    final = document.keep_signatures(keyids)
    final.write(out)
    dropped = len(document.signatures) - len(final.signatures)
    note = f" ({dropped} signature(s) by other keys or not verifying dropped)" if dropped else ""
    typer.echo(f"published {what} v{version} with {len(final.signatures)} valid signature(s){note}: {out}")


@trust_app.command("init-root", rich_help_panel=VERIFIER_PANEL)
def init_root(
    root_file: Annotated[Path, typer.Argument(help="The root metadata to pin (root.json).")],
    fingerprint: Annotated[
        str | None, typer.Option(help="The fingerprint the root holders published; the root must match it.")
    ] = None,
) -> None:
    """Pin this machine's first root of trust (trust on first use); signed trust lists take over from here.

    Compare the printed fingerprint with the one the root holders publish through another channel, or give it
    with --fingerprint. Exit codes: 0 pinned; 1 refused (signatures, expiry, fingerprint); 2 input error.
    """
    from keys.signed import today_utc
    from keys.trust.installed import pin_root

    root = pin_root(root_file, today_utc(), fingerprint)
    typer.echo(
        f"pinned {root.label}: threshold {root.threshold} of {len(root.keys)} keys, expires {root.header.expires}"
    )
    typer.echo(f"fingerprint: {root.document.fingerprint()}")
    if fingerprint is None:
        typer.echo("trust on first use: compare the fingerprint with the one the root holders published", err=True)


@trust_app.command("rotate-root", rich_help_panel=VERIFIER_PANEL)
def rotate_root(
    new_root_file: Annotated[Path, typer.Argument(help="Root metadata of the next version.")],
) -> None:
    """Install root N+1: it must be signed by the pinned root N's threshold and by its own.

    Exit codes: 0 installed; 1 refused (signatures, version, expiry); 2 input error.
    """
    from keys.signed import today_utc
    from keys.trust.installed import SignedTrustSource
    from keys.trust.installed import rotate_root as install_next_root

    root = install_next_root(new_root_file, today_utc())
    typer.echo(f"installed {root.label}: threshold {root.threshold} of {len(root.keys)} keys")
    source = SignedTrustSource.load()
    problem = source.problem(today_utc()) if source else None
    if problem:
        typer.echo(f"warning: {problem}; install a trust list signed by the new root", err=True)


@trust_app.command("update", rich_help_panel=VERIFIER_PANEL)
def update(
    list_file: Annotated[Path, typer.Argument(help="The published trust list.")],
) -> None:
    """Install a trust list: signed by the pinned root's threshold, newer than the installed one, not expired.

    Exit codes: 0 installed; 1 refused (signatures, rollback, expiry); 2 input error or no root pinned.
    """
    from keys.signed import today_utc
    from keys.trust.installed import install_trust_list

    installed = install_trust_list(list_file, today_utc())
    header = installed.header
    typer.echo(f"installed trust list v{header.version}: {len(installed.keys)} key(s), expires {header.expires}")


def _echo_root(root: dict[str, Any]) -> None:
    typer.echo(
        f"root v{root['version']}: threshold {root['threshold']} of {len(root['keys'])} keys, "
        f"issued {root['issued']}, expires {root['expires']}"
    )
    typer.echo(f"  fingerprint {root['fingerprint']}")
    for key in root["keys"]:
        typer.echo(f"  {key['keyid'][:16]}  {key['alg']}")


def _echo_list(trust_list: dict[str, Any]) -> None:
    typer.echo(
        f"trust list v{trust_list['version']}: {len(trust_list['keys'])} key(s), issued {trust_list['issued']}, "
        f"expires {trust_list['expires']}, {len(trust_list['signatures'])} signature(s)"
    )
    from permits.output.terminal import aligned_rows

    rows = []
    for key in trust_list["keys"]:
        start, end = key["valid_from"], key["valid_to"]
        window = (
            f"{start} to {end}"
            if start and end
            else f"from {start}"
            if start
            else f"until {end}"
            if end
            else "any date"
        )
        rows.append([key["party"], key["kid"], key["alg"], window, ",".join(key["scope"]), key["state"],
                     key["authority"]])  # fmt: skip
    for line in aligned_rows(rows):
        typer.echo(line)


@trust_app.command("show", rich_help_panel=VERIFIER_PANEL)
def show(
    file: Annotated[
        Path | None, typer.Argument(help="A root or trust-list file to inspect (default: installed).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show the installed root and trust list (or a file, e.g. a draft before signing it)."""
    from keys.signed import today_utc
    from keys.trust.installed import SignedTrustSource
    from keys.trust.local import LocalTrustStore
    from keys.trust.root import Root, load_root_or_list

    today = today_utc()
    report: dict[str, Any]
    root: Root | None
    trust_list: TrustList | None
    if file is not None:
        loaded = load_root_or_list(file)
        root, trust_list = (loaded, None) if isinstance(loaded, Root) else (None, loaded)
        report = {"file": str(file)}
    else:
        source = SignedTrustSource.load()
        if source is None:
            report = {"mode": "development", "description": LocalTrustStore.description, "problem": None}
            report["local_keys"] = len(LocalTrustStore.load().keys)
            root = trust_list = None
        else:
            report = {"mode": "signed", "description": source.description, "problem": source.problem(today)}
            root, trust_list = source.root, source.trust_list
    report["root"] = root.to_json() if root else None
    report["trust_list"] = trust_list.to_json(today) if trust_list else None
    if json_output:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if report.get("mode") == "development":
        typer.echo(f"no root pinned: development mode, {report['description']} with {report['local_keys']} key(s)")
        typer.echo("(pin a root with cites trust init-root ROOT_FILE to use signed trust lists)")
    if report["root"]:
        _echo_root(report["root"])
    if report["trust_list"]:
        _echo_list(report["trust_list"])
    if report.get("problem"):
        typer.echo(f"PROBLEM: {report['problem']}")


@trust_app.command("add", rich_help_panel=DEVELOPMENT_PANEL)
def add_key(
    key_file: Annotated[Path, typer.Argument(help="Public key (PEM/DER) or X.509 certificate of the authority.")],
    party: Annotated[str, typer.Option(help="Party the key signs for (ISO alpha-2); pinned with the key.")],
    authority: Annotated[
        str | None, typer.Option(help="Authority name (default: the certificate's; required for a bare public key).")
    ] = None,
) -> None:
    """Development mode: trust a key for one Party in the unsigned local store, pinned to its algorithm.

    Adding a key already trusted for that Party changes nothing (exit 0); for another Party it is refused,
    and so is any key once a root is pinned (verification then uses only the signed trust list).
    """
    from keys.keyfile import load_public_key
    from keys.trust.installed import root_is_pinned
    from keys.trust.local import LocalTrustStore
    from permits.errors import InputError, TrustStoreError

    if root_is_pinned():
        raise InputError(
            "a root is pinned: verification uses only the signed trust list, never this store; "
            "have the key listed (cites trust propose-key, then the root holders draft and sign a list)"
        )
    code = party_code(party)
    store = LocalTrustStore.load()
    info = load_public_key(key_file)
    already = store.trusted(info) is not None
    try:
        key = store.add(info, code, authority)
    except TrustStoreError as error:
        raise TrustStoreError(f"{key_file}: {error}") from None
    except InputError as error:  # the only one: no authority name for a bare public key
        raise InputError(f"--authority: {error}; give --authority NAME") from None
    store.save()
    done = "already trusted" if already else "trusted"
    typer.echo(f"{done}: {key.algorithm.value} key {key.kid.hex()} for {key.party} ({key.authority})")


@trust_app.command("list", rich_help_panel=DEVELOPMENT_PANEL)
def list_keys(json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Development mode: list the keys in the local store."""
    from keys.trust.local import LocalTrustStore

    store = LocalTrustStore.load()
    rows = [
        {"kid": key.kid.hex(), "party": key.party, "authority": key.authority, "alg": key.algorithm.value}
        for key in store.keys
    ]
    if json_output:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo(f"no trusted keys ({store.path})")
        return
    from permits.output.terminal import aligned_rows

    for line in aligned_rows([[row["kid"], row["party"], row["alg"], row["authority"]] for row in rows], indent=""):
        typer.echo(line)


@trust_app.command("remove", rich_help_panel=DEVELOPMENT_PANEL)
def remove_key(
    kid: Annotated[str, typer.Argument(help="The kid (16 hex digits) of the key to stop trusting.")],
) -> None:
    """Development mode: remove a key from the local store."""
    from keys.trust.local import LocalTrustStore

    store = LocalTrustStore.load()
    removed = store.remove(kid)
    store.save()
    for key in removed:
        typer.echo(f"removed {key.kid.hex()} ({key.party}, {key.authority})")
