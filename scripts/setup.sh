#!/usr/bin/env bash
# Prepares a checkout to run pfnlab: host packages, PostgreSQL and Redis
# (Debian's, only if none is reachable), npm packages, the build, a .env with
# a fresh secrets key, the database and its migrations. Safe to run again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_host_deps
ensure_build
cd "$ROOT"
mkdir -p "$STATE_DIR"; chmod 700 "$STATE_DIR"
if [ ! -f .env ]; then
  log "writing .env with a new secrets key (keep it: it decrypts stored BMC passwords)"
  sed "s|^PFNLAB_SECRETS_KEY=.*|PFNLAB_SECRETS_KEY=$(openssl rand -base64 32)|" .env.example > .env
  chmod 600 .env
fi
set -a; source .env; set +a
db=$(node -e 'console.log(new URL(process.argv[1]).pathname.slice(1))' "$DATABASE_URL")
admin_url=$(node -e 'const u=new URL(process.argv[1]); u.pathname="/postgres"; console.log(u.toString())' "$DATABASE_URL")
if ! node -e '
  const {Client}=require("pg"); const c=new Client({connectionString:process.argv[1]});
  c.connect().then(()=>c.query("SELECT 1 FROM pg_database WHERE datname=$1",[process.argv[2]]))
   .then(r=>r.rowCount?0:c.query(`CREATE DATABASE "${process.argv[2]}"`).then(()=>console.error("[pfnlab] created database "+process.argv[2])))
   .then(()=>c.end()).catch(e=>{console.error(e.message);process.exit(1)})' "$admin_url" "$db"; then
  die "cannot create database $db at $admin_url"
fi
npm run -s migrate
log "setup done"
