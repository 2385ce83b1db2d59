#!/usr/bin/env bash
# The demo on a fresh machine: set everything up, start the server, create
# the first admin token, and submit an example job with the CLI.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
set -a; source .env; set +a
export XDG_CONFIG_HOME="$STATE_DIR/config"
pidfile="$STATE_DIR/server.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  log "server already running (pid $(cat "$pidfile"))"
else
  log "starting the server on http://$HOST:$PORT (log: $STATE_DIR/server.log)"
  nohup node dist/apps/server/src/main.js >"$STATE_DIR/server.log" 2>&1 &
  echo $! >"$pidfile"
fi
for _ in $(seq 100); do curl -fsS "http://$HOST:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://$HOST:$PORT/readyz" >/dev/null || die "the server did not become ready; see $STATE_DIR/server.log"
tokenfile="$STATE_DIR/admin-token"
if [ ! -s "$tokenfile" ]; then
  (umask 077; npm run -s bootstrap-admin >"$tokenfile") || die "could not create the admin token (an admin exists? remove $STATE_DIR and the database to start over)"
fi
./bin/pfnlab login --server "http://$HOST:$PORT" --token - <"$tokenfile"
log "submitting deploy/examples/boot-x86.yaml"
./bin/pfnlab jobs submit deploy/examples/boot-x86.yaml
./bin/pfnlab jobs ls
cat >&2 <<MSG

pfnlab is running:
  API docs     http://$HOST:$PORT/api/docs
  CLI          XDG_CONFIG_HOME=$XDG_CONFIG_HOME ./bin/pfnlab jobs ls
  admin token  $tokenfile
  stop         kill \$(cat $pidfile)
MSG
