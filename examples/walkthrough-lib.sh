# Shared by the walkthroughs (sourced, not run): where things are, and how each step reports.
# The sourcing script sets `here` (its folder) and passes its arguments: [VENV_BIN [WORK_DIR]].
repo=$(cd "$here/../.." && pwd)
bin=${1:-$repo/.venv/bin}
work=${2:-$(mktemp -d -t cites-walkthrough.XXXXXX)}
mkdir -p "$work"
if [ -n "$(ls -A "$work")" ]; then  # a second run would find the first run's keys beside its own
    echo "error: $work is not empty; give a new or empty folder (or none: a temporary one is made)" >&2
    exit 2
fi
# A throw-away passphrase for throw-away keys: real keys take theirs from the environment or a prompt.
export CITES_KEY_PASSPHRASE="${CITES_KEY_PASSPHRASE:-walkthrough-only-passphrase}"
today=$(date -u +%F)
failures=0

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# as ACTOR ARGS...: run cites in ACTOR's own home
as() { local actor=$1; shift; CITES_HOME="$work/$actor/home" "$bin/cites" "$@"; }
pass() { printf '  \033[32mok\033[0m    %s\n' "$*"; }
fail() { printf '  \033[31mFAIL\033[0m  %s\n' "$*"; failures=$((failures + 1)); }
