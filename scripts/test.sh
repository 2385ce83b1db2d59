#!/usr/bin/env bash
# Runs every test: unit tests in parallel, then integration tests (real
# PostgreSQL, Redis, OpenSSH, ipmi_sim, QEMU...) one file at a time.
# Installs and starts what is missing first. Ends with "N passed, N failed".
# Extra arguments go to jest (e.g. a path filter).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
set -e
ensure_host_deps
ensure_build_deps
ensure_build
set +e
cd "$ROOT"
out="$STATE_DIR/test-results"; mkdir -p "$out"; rm -f "$out"/*.json
# The test files themselves type-check too (jest compiles with swc, which does not); counted as one test.
if npm run --silent typecheck; then tc_pass=1; tc_fail=0; else tc_pass=0; tc_fail=1; echo "typecheck FAILED: npm run typecheck" >&2; fi
npx jest --selectProjects unit --forceExit --json --outputFile="$out/unit.json" "$@"
unit_rc=$?
# --forceExit: a driver or emulator handle left open must not hang CI once the results are written.
npx jest --selectProjects integration --runInBand --forceExit --json --outputFile="$out/integration.json" "$@"
int_rc=$?
node -e '
  const fs=require("fs"); let p=+process.argv[2],f=+process.argv[3],missing=[];
  for (const n of ["unit","integration"]) {
    const file=process.argv[1]+"/"+n+".json";
    if (!fs.existsSync(file)) { missing.push(n); continue; }
    const r=JSON.parse(fs.readFileSync(file,"utf8"));
    p+=r.numPassedTests; f+=r.numFailedTests+r.numRuntimeErrorTestSuites;
  }
  if (missing.length) { console.error("no results from: "+missing.join(", ")); f+=missing.length; }
  console.log(`${p} passed, ${f} failed`);' "$out" "$tc_pass" "$tc_fail"
[ $unit_rc -eq 0 ] && [ $int_rc -eq 0 ] && [ $tc_fail -eq 0 ]
