# Shared helpers for pfnlab's setup, test and demo scripts. Sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${PFNLAB_STATE_DIR:-$ROOT/.pfnlab}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi

log() { printf '\033[1m[pfnlab]\033[0m %s\n' "$*" >&2; }
die() { printf '[pfnlab] error: %s\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get: install them by hand"
  log "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# PostgreSQL and Redis: use what is reachable; otherwise install Debian's and start it.
ensure_postgres() {
  local host=${PGHOST_CHECK:-127.0.0.1} port=${PGPORT_CHECK:-5432}
  tcp_open "$host" "$port" && return 0
  apt_install postgresql postgresql-client
  log "starting PostgreSQL"
  local ver; ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$ver" ] || die "PostgreSQL is installed but has no cluster in /etc/postgresql"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || $SUDO pg_ctlcluster "$ver" main start
  # Trust local TCP connections of the postgres user, as the test setup expects (loopback only).
  local hba="/etc/postgresql/$ver/main/pg_hba.conf"
  if ! $SUDO grep -q '^host all postgres 127.0.0.1/32 trust' "$hba"; then
    $SUDO sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main reload 2>/dev/null || $SUDO pg_ctlcluster "$ver" main reload
  fi
  for _ in $(seq 50); do tcp_open "$host" "$port" && return 0; sleep 0.2; done
  die "PostgreSQL did not come up on $host:$port"
}

ensure_redis() {
  tcp_open 127.0.0.1 6379 && return 0
  apt_install redis-server
  log "starting Redis"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no --dir /var/lib/redis --logfile /var/log/redis/pfnlab.log
  for _ in $(seq 50); do tcp_open 127.0.0.1 6379 && return 0; sleep 0.2; done
  die "Redis did not come up on 127.0.0.1:6379"
}

ensure_node() {
  command -v node >/dev/null || die "Node.js 20.19+ is needed (apt-get install nodejs, or nodesource)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js $(node --version) is too old: pfnlab needs 20.19 or newer"
}

# npm packages when node_modules is missing or older than the lock file; then compile.
# `npm install` rather than `npm ci`: npm 11 leaves other platforms' optional
# binaries (@swc/core-darwin-*, ...) out of the lock file and `npm ci` then
# refuses it; `npm install` still installs the locked versions.
ensure_build() {
  cd "$ROOT"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages"
    npm install --no-audit --no-fund --loglevel=error >/dev/null
  fi
  log "compiling TypeScript"
  npm run -s build >/dev/null || { npm run -s build; die "the build failed"; }
}

ensure_host_deps() {
  ensure_node
  apt_install git openssl ca-certificates openssh-server openssh-client python3 curl
  ensure_postgres
  ensure_redis
  if [ -x "$ROOT/deploy/vlab/install-host-deps.sh" ]; then "$ROOT/deploy/vlab/install-host-deps.sh" >&2; fi
}

# Kernel builds (libs/builds, apps/agent/src/build): toolchains, ccache and the
# offline test tree (Debian's linux-source-6.1, committed by deploy/builds/prepare-kernel-tree.sh).
ensure_build_deps() {
  apt_install linux-source-6.1 build-essential bc bison flex libssl-dev libelf-dev ccache \
    gcc-aarch64-linux-gnu gcc-s390x-linux-gnu gcc-powerpc64le-linux-gnu clang lld llvm \
    git cpio kmod xz-utils
  # The payloads (libs/payloads/sh) are checked for bashisms: checkbashisms is in devscripts.
  apt_install devscripts
}
