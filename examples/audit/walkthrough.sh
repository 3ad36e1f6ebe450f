#!/usr/bin/env bash
# A batch audit end to end with the `cites` CLI: three Management Authorities issue permits, a border post
# endorses one, an authority revokes one, a forger and a second issuing office plant frauds, and an auditor
# audits the whole archive in one run. Every verdict and every cross-permit finding is asserted: the script
# exits non-zero on anything unexpected. See README.md next to this file.
#
# usage: walkthrough.sh [VENV_BIN [WORK_DIR]]   (defaults: the repository's .venv/bin, a new temporary directory)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../walkthrough-lib.sh
source "$here/../walkthrough-lib.sh"
# describe EXAMPLE NUMBER STAMP [SED_EXPRESSION...]: an example permit description with another number and stamp
describe() {
    local example=$1 number=$2 stamp=$3
    shift 3
    sed -e "s#^number: .*#number: $number#" -e "s#^security_stamp: .*#security_stamp: $stamp#" "$@" \
        "$repo/examples/$example"
}
# issue ACTOR KEY DESCRIPTION [ARGS...]: the authority signs; the permit's files go to the archive
issue() {
    local actor=$1 key=$2 description=$3
    shift 3
    as "$actor" issue "$description" --key "$key" --out "$work/archive" "$@" | tail -n 1
}

step "1. Three Management Authorities create their keys; the auditor and the border post trust them"
for party in KE ZW IT; do
    as "authority-$party" keys new --party "$party" --authority "Management Authority $party" \
        --out "$work/authority-$party/keys" >/dev/null
    for verifier in auditor border; do
        as "$verifier" trust add "$work"/authority-$party/keys/$party-*.cert.pem --party "$party" >/dev/null
    done
    echo "  $party: $(ls "$work"/authority-$party/keys/$party-*.cert.pem)"
done
ke_key=$(ls "$work"/authority-KE/keys/KE-*.key.pem)
zw_key=$(ls "$work"/authority-ZW/keys/ZW-*.key.pem)
it_key=$(ls "$work"/authority-IT/keys/IT-*.key.pem)
mkdir -p "$work/archive" "$work/descriptions"

step "2. Kenya issues two zoo transfers (chimpanzees with microchips)"
describe zoo-transfer-app1.yaml KE/2026/ZOO/0001 KE-SS-0041887 >"$work/descriptions/ke-0001.yaml"
describe zoo-transfer-app1.yaml KE/2026/ZOO/0003 KE-SS-0041889 -e "s/9001180001234/9001180007777/" \
    >"$work/descriptions/ke-0003.yaml"
issue authority-KE "$ke_key" "$work/descriptions/ke-0001.yaml"
issue authority-KE "$ke_key" "$work/descriptions/ke-0003.yaml"

step "3. A second Kenyan office, with the same key but its own issuing register, re-uses the stamp and chips"
# Its register cannot see the first office's, so it cannot refuse the stamp: only the audit sees both.
describe zoo-transfer-app1.yaml KE/2026/ZOO/0002 KE-SS-0041887 >"$work/descriptions/ke-0002.yaml"
as authority-KE ledger init --db "sqlite:///$work/second-office.sqlite" >/dev/null  # a named ledger: created once
issue authority-KE "$ke_key" "$work/descriptions/ke-0002.yaml" --db "sqlite:///$work/second-office.sqlite"

step "4. Zimbabwe exports 24 crocodile handbags to Italy; Italy re-exports 24, then 10 more citing the same permit"
describe reexport-certificate.yaml ZW/2026/00871 ZW-SS-871 -e "s/^type: re-export/type: export/" \
    -e "/last_reexport:/d" -e "/origin:/d" \
    -e "/^importer:/,/^exporter:/{s/name: .*/name: Pelletterie Toscane Srl/;s/address: .*/address: Santa Croce/;s/country: CH/country: IT/}" \
    -e "/^exporter:/,/^authority:/{s/name: .*/name: Croc Farm Ltd/;s/address: .*/address: Kariba/;s/country: IT/country: ZW/}" \
    -e "/^authority:/,/^issued_at:/{s/name: .*/name: Zimbabwe Parks and Wildlife Management Authority/;s/address: .*/address: Harare/;s/country: IT/country: ZW/}" \
    -e "s/^issued_at: .*/issued_at: Harare/" >"$work/descriptions/zw-00871.yaml"
issue authority-ZW "$zw_key" "$work/descriptions/zw-00871.yaml"
origin="origin: {country: ZW, number: ZW/2026/00871, date: $today}"
describe reexport-certificate.yaml IT/2026/RE/01934 IT-RE-55120 -e "/last_reexport:/d" \
    -e "s#origin: .*#$origin#" >"$work/descriptions/it-01934.yaml"
describe reexport-certificate.yaml IT/2026/RE/01935 IT-RE-55121 -e "/last_reexport:/d" \
    -e "s#origin: .*#$origin#" -e "s/quantity: 24/quantity: 10/" >"$work/descriptions/it-01935.yaml"
issue authority-IT "$it_key" "$work/descriptions/it-01934.yaml"
issue authority-IT "$it_key" "$work/descriptions/it-01935.yaml"

step "5. The border post endorses KE/2026/ZOO/0001 (Box 14); Kenya revokes KE/2026/ZOO/0003 and publishes its list"
CITES_POST="JKIA cargo" as border endorse "$work/archive/KE-2026-ZOO-0001.pdf" --port "Jomo Kenyatta International Airport" \
    --officer "A. Otieno"
as authority-KE revoke KE/2026/ZOO/0003 --reason stolen --key "$ke_key"
as authority-KE revocations publish --key "$ke_key" --out "$work/KE-revocations.json" >/dev/null
as auditor revocations update "$work/KE-revocations.json"

step "6. A forger signs KE/2026/ZOO/0004 with a key of his own; someone edits a character of Zimbabwe's QR text"
as forger keys new --party KE --authority "Kenya Wildlife Service" --out "$work/forger/keys" >/dev/null
describe zoo-transfer-app1.yaml KE/2026/ZOO/0004 KE-SS-0041890 >"$work/descriptions/ke-0004.yaml"
as forger issue "$work/descriptions/ke-0004.yaml" --key "$(ls "$work"/forger/keys/KE-*.key.pem)" \
    --out "$work/forged" | tail -n 1
# The scanner log a customs post kept: the forged permit, the altered one, and KE/2026/ZOO/0002 scanned again.
{
    cat "$work/forged/KE-2026-ZOO-0004.txt"
    zimbabwe=$(<"$work/archive/ZW-2026-00871.txt")
    edited=Z && [[ ${zimbabwe:200:1} == Z ]] && edited=Y
    echo "${zimbabwe:0:200}$edited${zimbabwe:201}"
    cat "$work/archive/KE-2026-ZOO-0002.txt"
} >"$work/scanner-log.txt"
rm "$work"/archive/*.txt "$work"/archive/*.png  # the archive keeps the PDFs

step "7. The auditor audits the archive and the scanner log, with the border post's usage ledger"
code=0
as auditor audit "$work/archive" "$work/scanner-log.txt" --db "sqlite:///$work/border/home/ledger.sqlite" \
    --report "$work/audit.jsonl" --html "$work/audit.html" --workers 2 --quiet || code=$?
if [[ $code == 1 ]]; then pass "exit code 1: not every permit is valid, and there are findings"; else
    fail "expected exit code 1, got $code"; fi

step "8. What the report says, row by row, and the cross-permit findings"
"$bin/python" - "$work" <<'PYTHON' || failures=$((failures + 1))
import json
import sys
from pathlib import Path

work = Path(sys.argv[1])


def short(reference: str) -> str:
    return reference.removeprefix(f"{work}/")


rows = {short(row["input"]): row for row in map(json.loads, (work / "audit.jsonl").read_text().splitlines())}
expected_rows = {
    "archive/IT-2026-RE-01934.pdf": "VALID",
    "archive/IT-2026-RE-01935.pdf": "VALID",
    "archive/KE-2026-ZOO-0001.pdf": "ALREADY_USED",
    "archive/KE-2026-ZOO-0002.pdf": "VALID",
    "archive/KE-2026-ZOO-0003.pdf": "REVOKED",
    "archive/ZW-2026-00871.pdf": "VALID",
    "scanner-log.txt:1": "UNKNOWN_KEY",
    "scanner-log.txt:2": "MALFORMED",
    "scanner-log.txt:3": "VALID",
}
expected_findings = {
    ("REUSED_STAMP", ("archive/KE-2026-ZOO-0001.pdf", "archive/KE-2026-ZOO-0002.pdf", "scanner-log.txt:3")),
    ("DUPLICATE_MARK", ("archive/KE-2026-ZOO-0001.pdf", "archive/KE-2026-ZOO-0002.pdf", "scanner-log.txt:3")),
    ("REPEATED_PERMIT", ("archive/KE-2026-ZOO-0002.pdf", "scanner-log.txt:3")),
    ("REEXPORT_OVER_QUANTITY", ("archive/ZW-2026-00871.pdf", "archive/IT-2026-RE-01934.pdf", "archive/IT-2026-RE-01935.pdf")),
}
failures = 0
for reference, row in sorted(rows.items()):
    mark = "\033[32mok\033[0m  " if expected_rows.get(reference) == row["status"] else "\033[31mFAIL\033[0m"
    failures += expected_rows.get(reference) != row["status"]
    print(f"  {mark}  {reference}: {row['status']} ({row['reason']})")
for reference in sorted(set(expected_rows) - set(rows)):
    print(f"  \033[31mFAIL\033[0m  {reference}: no row")
    failures += 1
findings = [json.loads(line) for line in (work / "audit.findings.jsonl").read_text().splitlines()]
seen = {(finding["kind"], tuple(short(i) for i in finding["inputs"])) for finding in findings}
for finding in findings:
    key = (finding["kind"], tuple(short(i) for i in finding["inputs"]))
    mark = "\033[32mok\033[0m  " if key in expected_findings else "\033[31mFAIL\033[0m"
    failures += key not in expected_findings
    print(f"  {mark}  {finding['kind']} ({finding['severity']}): {finding['message']}")
for kind, inputs in sorted(expected_findings - seen):
    print(f"  \033[31mFAIL\033[0m  {kind} on {', '.join(inputs)}: not found")
    failures += 1
sys.exit(1 if failures else 0)
PYTHON

if [[ -s $work/audit.html ]] && ! grep -qiE '<script|(src|href)="?https?:' "$work/audit.html"; then
    pass "audit.html: $(wc -c <"$work/audit.html") bytes, self-contained (no script, no network)"
else fail "audit.html missing or not self-contained"; fi

step "9. Kenya's Management Authority compares the archive with its issuing register"
# The second office signed KE-2026-ZOO-0002 with the trusted key but outside the register: the signature
# alone cannot tell, the register can.
code=0
as auditor audit "$work/archive" --db "sqlite:///$work/authority-KE/home/ledger.sqlite" --register KE \
    --report "$work/register-review.jsonl" --workers 1 --quiet >/dev/null || code=$?
unregistered=$("$bin/python" -c '
import json, sys
for line in open(sys.argv[1]):
    finding = json.loads(line)
    if finding["kind"] in ("NOT_REGISTERED", "REGISTER_MISMATCH"):
        print(finding["kind"], *(name.rsplit("/", 1)[-1] for name in finding["inputs"]))
' "$work/register-review.findings.jsonl")
if [[ $code == 1 && $unregistered == "NOT_REGISTERED KE-2026-ZOO-0002.pdf" ]]; then
    pass "NOT_REGISTERED: KE-2026-ZOO-0002 was signed outside Kenya's register"
else fail "expected one NOT_REGISTERED finding for KE-2026-ZOO-0002.pdf (exit $code): $unregistered"; fi

step "Done"
echo "The report: $work/audit.jsonl; the findings: $work/audit.findings.jsonl; the page: $work/audit.html"
if ((failures)); then echo "$failures unexpected result(s)"; exit 1; fi
echo "every verdict and finding as expected"
