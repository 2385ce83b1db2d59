#!/usr/bin/env bash
# Runs every test: unit tests in parallel, then integration tests (real
# PostgreSQL, Redis, OpenSSH, ipmi_sim, QEMU...) one file at a time.
# Installs and starts what is missing first. Ends with "N passed, N failed".
# Extra arguments go to jest (e.g. a path filter).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
set -e
ensure_host_deps
ensure_build
set +e
cd "$ROOT"
out="$STATE_DIR/test-results"; mkdir -p "$out"; rm -f "$out"/*.json
npx jest --selectProjects unit --forceExit --json --outputFile="$out/unit.json" "$@"
unit_rc=$?
# --forceExit: a driver or emulator handle left open must not hang CI once the results are written.
npx jest --selectProjects integration --runInBand --forceExit --json --outputFile="$out/integration.json" "$@"
int_rc=$?
node -e '
  const fs=require("fs"); let p=0,f=0,missing=[];
  for (const n of ["unit","integration"]) {
    const file=process.argv[1]+"/"+n+".json";
    if (!fs.existsSync(file)) { missing.push(n); continue; }
    const r=JSON.parse(fs.readFileSync(file,"utf8"));
    p+=r.numPassedTests; f+=r.numFailedTests+r.numRuntimeErrorTestSuites;
  }
  if (missing.length) { console.error("no results from: "+missing.join(", ")); f+=missing.length; }
  console.log(`${p} passed, ${f} failed`);' "$out"
[ $unit_rc -eq 0 ] && [ $int_rc -eq 0 ]
