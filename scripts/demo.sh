#!/usr/bin/env bash
# The demo on a fresh machine: set everything up, then `pfnlab demo` starts
# the server, the virtual lab and an agent, boots all four machines through
# pfnlab and prints the verdicts. Extra arguments go to `pfnlab demo`
# (e.g. --json).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
export XDG_CONFIG_HOME="$STATE_DIR/config"
exec ./bin/pfnlab demo "$@"
