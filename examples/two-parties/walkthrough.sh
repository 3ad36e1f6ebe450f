#!/usr/bin/env bash
# Signed trust lists and revocation with two Parties, end to end, with the `cites` CLI.
#
# Actors, each with its own CITES_HOME: the root holders (a 2-of-3 root), the Kenya Wildlife Service (KE), the
# Cameroon forestry ministry (CM) and a border post. KE rotates its key, CM revokes a permit, and the border post
# installs the lists and verifies every permit. Every verdict and every refusal is asserted: the script exits
# non-zero on anything unexpected. See README.md next to this file.
#
# usage: walkthrough.sh [VENV_BIN [WORK_DIR]]   (defaults: the repository's .venv/bin, a new temporary directory)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../walkthrough-lib.sh
source "$here/../walkthrough-lib.sh"
tomorrow=$(date -u -d "+1 day" +%F)
in_90_days=$(date -u -d "+90 days" +%F)

# expect_verdict FILE STATUS: the border post verifies a permit (QR text file, or the PDF) and must get STATUS
expect_verdict() {
    local file=$1 want=$2 output status reason
    if [[ $file == *.txt ]]; then output=$(as border verify --json - <"$file") || true
    else output=$(as border verify --json "$file") || true; fi
    status=$("$bin/python" -c 'import json, sys; print(json.loads(sys.stdin.readline())["status"])' <<<"$output")
    reason=$("$bin/python" -c 'import json, sys; print(json.loads(sys.stdin.readline())["reason"])' <<<"$output")
    if [[ $status == "$want" ]]; then pass "$(basename "$file"): $status ($reason)"; else
        fail "$(basename "$file"): expected $want, got $status ($reason)"; fi
}

# expect_refused WHAT ACTOR ARGS...: the command must be refused with exit code 1 (not trusted)
expect_refused() {
    local what=$1 code=0 message
    shift
    message=$(as "$@" 2>&1) || code=$?
    if [[ $code == 1 ]]; then pass "$what refused: ${message#error: }"; else
        fail "$what: expected a refusal (exit 1), got exit $code: $message"; fi
}

step "1. Root holders create a 2-of-3 root (each key would go to a different holder)"
created=$(as roots trust root-init --keys 3 --threshold 2 --out "$work/roots")
echo "$created"
# The root holders publish this fingerprint through another channel (web site, letter to every Party).
fingerprint=$(sed -n 's/^fingerprint: //p' <<<"$created")
mapfile -t root_keys < <(ls "$work"/roots/root-*.key.pem)
holder_a=${root_keys[0]} holder_b=${root_keys[1]} holder_c=${root_keys[2]}

step "2. Two Management Authorities create keys and propose them for the trust list"
as kenya keys new --party KE --authority "Kenya Wildlife Service" --out "$work/kenya/keys"
ke_old_key=$(ls "$work"/kenya/keys/KE-*.key.pem)
ke_old_kid=$(basename "$ke_old_key" .key.pem); ke_old_kid=${ke_old_kid#KE-}
as kenya trust propose-key "${ke_old_key%.key.pem}.cert.pem" --party KE --out "$work/kenya/KE-1.entry.json"
as cameroon keys new --party CM --authority "Ministere des Forets et de la Faune" --out "$work/cameroon/keys"
cm_key=$(ls "$work"/cameroon/keys/CM-*.key.pem)
as cameroon trust propose-key "${cm_key%.key.pem}.cert.pem" --party CM --scope export --scope re-export \
    --out "$work/cameroon/CM-1.entry.json"

step "3. Root holders A and C sign trust list v1; it is published"
as roots trust draft "$work/kenya/KE-1.entry.json" "$work/cameroon/CM-1.entry.json" \
    --version 1 --expires "$in_90_days" --out "$work/roots/trust-list-v1.draft.json"
as roots trust sign "$work/roots/trust-list-v1.draft.json" --key "$holder_a"
as roots trust sign "$work/roots/trust-list-v1.draft.json" --key "$holder_c"
mkdir -p "$work/published"
as roots trust publish "$work/roots/trust-list-v1.draft.json" --root "$work/roots/root.json" \
    --out "$work/published/trust-list-v1.json"

step "4. The border post pins the root (checking its fingerprint) and installs list v1"
as border trust init-root "$work/roots/root.json" --fingerprint "$fingerprint"
as border trust update "$work/published/trust-list-v1.json"

step "5. KE and CM issue permits"
as kenya issue "$repo/examples/zoo-transfer-app1.yaml" --key "$ke_old_key" --out "$work/kenya/permits"
as cameroon issue "$repo/examples/timber-export-app2.yaml" --key "$cm_key" --out "$work/cameroon/permits"
sed -e 's#CM/2026/TIM/0457#CM/2026/TIM/0458#' -e 's#CM-0098812#CM-0098813#' "$repo/examples/timber-export-app2.yaml" >"$work/cameroon/timber-0458.yaml"
as cameroon issue "$work/cameroon/timber-0458.yaml" --key "$cm_key" --out "$work/cameroon/permits"
expect_verdict "$work/kenya/permits/KE-2026-ZOO-0001.txt" VALID
expect_verdict "$work/cameroon/permits/CM-2026-TIM-0458.txt" VALID

step "6. KE rotates its key: the old key is retired today, the new key is listed in v2 (signed by B and C)"
as kenya keys new --party KE --authority "Kenya Wildlife Service" --out "$work/kenya/keys-2"
ke_new_key=$(ls "$work"/kenya/keys-2/KE-*.key.pem)
as kenya trust propose-key "${ke_new_key%.key.pem}.cert.pem" --party KE --out "$work/kenya/KE-2.entry.json"
as roots trust draft "$work/kenya/KE-2.entry.json" --base "$work/published/trust-list-v1.json" \
    --retire "$ke_old_kid=$today" --expires "$in_90_days" --out "$work/roots/trust-list-v2.draft.json"
as roots trust show "$work/roots/trust-list-v2.draft.json"
as roots trust sign "$work/roots/trust-list-v2.draft.json" --key "$holder_b"
as roots trust sign "$work/roots/trust-list-v2.draft.json" --key "$holder_c"
as roots trust publish "$work/roots/trust-list-v2.draft.json" --root "$work/roots/root.json" \
    --out "$work/published/trust-list-v2.json"
sed -e 's#KE/2026/ZOO/0001#KE/2026/ZOO/0002#' -e 's#KE-SS-0041887#KE-SS-0041888#' "$repo/examples/zoo-transfer-app1.yaml" >"$work/kenya/zoo-0002.yaml"
as kenya issue "$work/kenya/zoo-0002.yaml" --key "$ke_new_key" --out "$work/kenya/permits"
# Someone still holding the retired key signs a permit dated after the retirement.
{ sed -e 's#KE/2026/ZOO/0001#KE/2026/ZOO/0003#' -e 's#KE-SS-0041887#KE-SS-0041889#' "$repo/examples/zoo-transfer-app1.yaml"; echo "issued: $tomorrow"; } \
    >"$work/kenya/zoo-0003.yaml"
as kenya issue "$work/kenya/zoo-0003.yaml" --key "$ke_old_key" --out "$work/kenya/permits"

step "7. CM revokes permit CM/2026/TIM/0458 (lost) and publishes its signed revocation list"
as cameroon revoke CM/2026/TIM/0458 --reason lost --key "$cm_key"
as cameroon revocations publish --key "$cm_key" --out "$work/published/revocations-CM-v1.json"

step "8. The border post installs list v2 and CM's revocation list; stale or forged files are refused"
as border trust update "$work/published/trust-list-v2.json"
as border revocations update "$work/published/revocations-CM-v1.json"
expect_refused "rollback to trust list v1" border trust update "$work/published/trust-list-v1.json"
expect_refused "replay of CM's revocation list v1" border revocations update "$work/published/revocations-CM-v1.json"
as roots trust draft --base "$work/published/trust-list-v2.json" --expires "$in_90_days" --out "$work/lone-v3.json"
as roots trust sign "$work/lone-v3.json" --key "$holder_a"
expect_refused "list v3 signed by root holder A alone" border trust update "$work/lone-v3.json"
"$bin/python" - "$work/published/trust-list-v2.json" "$work/forged-v3.json" <<'EOF'
import json, sys
document = json.load(open(sys.argv[1]))
document["signed"]["version"] = 3
document["signed"]["keys"][0]["valid_to"] = None  # try to bring the retired KE key back
json.dump(document, open(sys.argv[2], "w"))
EOF
expect_refused "a forged list v3" border trust update "$work/forged-v3.json"
as border trust show

step "9. The border post verifies every printed permit (the PDFs)"
expect_verdict "$work/kenya/permits/KE-2026-ZOO-0001.pdf" VALID        # old key, issued before retirement
expect_verdict "$work/kenya/permits/KE-2026-ZOO-0002.pdf" VALID        # new key
expect_verdict "$work/kenya/permits/KE-2026-ZOO-0003.pdf" KEY_NOT_VALID # retired key, after retirement
expect_verdict "$work/cameroon/permits/CM-2026-TIM-0457.pdf" VALID
expect_verdict "$work/cameroon/permits/CM-2026-TIM-0458.pdf" REVOKED

if ((failures)); then
    printf '\n\033[31m%d unexpected result(s)\033[0m (files in %s)\n' "$failures" "$work"
    exit 1
fi
printf '\n\033[32mevery verdict as expected\033[0m (files in %s)\n' "$work"
