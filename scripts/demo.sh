#!/usr/bin/env bash
# The main job end to end on an embedded default: a demo Management Authority key and trust entry in a
# throw-away CITES_HOME, the Appendix I zoo-transfer example issued and printed to PDF, the PDF verified.
set -euo pipefail
home=${1:?usage: demo.sh DEMO_HOME VENV_BIN}
bin=${2:?usage: demo.sh DEMO_HOME VENV_BIN}
rm -rf "$home"
mkdir -p "$home"
export CITES_HOME="$home"
# A demo passphrase for a demo key: real keys get theirs from the environment or a prompt.
export CITES_KEY_PASSPHRASE="${CITES_KEY_PASSPHRASE:-demo-only-passphrase}"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. The Kenya Wildlife Service creates its signing key"
"$bin/cites" keys new --party KE --authority "Kenya Wildlife Service" --out "$home/keys"
cert=$(ls "$home"/keys/KE-*.cert.pem)
key=$(ls "$home"/keys/KE-*.key.pem)

step "2. The border post trusts that key (development trust store)"
"$bin/cites" trust add "$cert" --party KE

step "3. The authority issues examples/zoo-transfer-app1.yaml: PDF form, QR image, QR text"
"$bin/cites" issue examples/zoo-transfer-app1.yaml --key "$key" --out "$home/permits"

step "4. The officer verifies the printed PDF"
"$bin/cites" verify "$home/permits/KE-2026-ZOO-0001.pdf"

printf '\nThe permit is in %s/permits/ (open the PDF to see the form and its QR code).\n' "$home"
