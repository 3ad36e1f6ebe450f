#!/usr/bin/env bash
# Installs the system libraries the tool needs (Debian/Ubuntu): libzbar0 for QR decoding, and with
# --postgres the PostgreSQL server binaries the ledger tests start. As root it uses apt-get; otherwise it
# prints the exact command to run and carries on (the PostgreSQL tests then skip with a reason).
set -euo pipefail
want=(libzbar0 fonts-dejavu-core)
[[ "${1:-}" == "--postgres" ]] && want+=(postgresql)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  [[ " ${missing[*]} " == *" libzbar0 "* ]] && exit 1
fi
exit 0
