#!/bin/sh
# pfnlab-common.sh: shared functions of the pfnlab payloads (POSIX sh).
# Sourced by every payload from its own directory; payloadScript() in
# libs/payloads/src inlines it for runs without a directory (sh -s, console).
# Nothing here forks in the hot paths (emit, clock): the payloads run on
# busybox ash under TCG, where a fork costs milliseconds.
#
# Marker lines (libs/payloads/README.md):
#   @@PFNLAB v1 <kind> run=<id> seq=<n> key=value ... len=<n>
# len = the number of characters before " len=".

PF_SEQ=0
PF_RUN=
PF_PAYLOAD=
PF_ENDED=
PF_V=
PF_NOW=
PF_CLOCK=
PF_CLOCK_RES_NS=
PF_CLOCK_OVERHEAD_NS=

# pf_init PAYLOAD: a run id (first 8 hex digits of a random uuid, no fork).
pf_init() {
  PF_PAYLOAD=$1
  PF_SEQ=0
  PF_ENDED=
  PF_RUN=
  if [ -r /proc/sys/kernel/random/uuid ]; then
    read -r PF_RUN </proc/sys/kernel/random/uuid 2>/dev/null
    PF_RUN=${PF_RUN%%-*}
  fi
  case $PF_RUN in '' | *[!0-9a-f]*) PF_RUN="p$$" ;; esac
}

# pf_emit KIND key=value...: one marker line. Values must already be safe
# (numbers, names); pass anything else through pf_v first.
pf_emit() {
  _pf_l="@@PFNLAB v1 $1 run=$PF_RUN seq=$PF_SEQ"
  shift
  for _pf_kv in "$@"; do _pf_l="$_pf_l $_pf_kv"; done
  printf '%s len=%s\n' "$_pf_l" "${#_pf_l}" 2>/dev/null
  PF_SEQ=$((PF_SEQ + 1))
}

# pf_v VALUE: PF_V = VALUE restricted to [A-Za-z0-9_.:/-] (others become _),
# at most 120 characters; "-" when empty. Forks tr only for unsafe values.
pf_v() {
  PF_V=$1
  case $PF_V in
    '') PF_V=- ;;
    *[!A-Za-z0-9_.:/-]*) PF_V=$(printf '%s' "$1" | tr -c 'A-Za-z0-9_.:/-' '_') ;;
  esac
  while [ "${#PF_V}" -gt 120 ]; do PF_V=${PF_V%?}; done
}

# pf_end STATUS [key=value...]: the last line of a run (once).
pf_end() {
  [ -n "$PF_ENDED" ] && return 0
  PF_ENDED=1
  _pf_st=$1
  shift
  pf_emit end "status=$_pf_st" "$@"
}

# pf_skip REASON [key=value...]: a payload (or part, with part=...) that cannot run.
pf_skip() {
  _pf_r=$1
  shift
  pf_emit skip "reason=$_pf_r" "$@"
}

# ---- clock ------------------------------------------------------------------
# pf_now: PF_NOW = a monotonic timestamp in ns. Sources, best first:
#   timer_list: "now at N nsecs" of /proc/timer_list (ktime_get, ns, read by
#               the shell's own read builtin: no fork inside a measurement);
#   date:       date +%s%N where date has %N (GNU coreutils; busybox has not);
#   uptime:     /proc/uptime, 10 ms resolution.
_pf_now_timer_list() {
  PF_NOW=
  while IFS= read -r _pf_tl; do
    case $_pf_tl in
      'now at '*' nsecs')
        _pf_tl=${_pf_tl#now at }
        PF_NOW=${_pf_tl% nsecs}
        return 0
        ;;
    esac
  done </proc/timer_list
  return 1
}

_pf_now_uptime() {
  read -r _pf_up _pf_rest </proc/uptime
  _pf_s=${_pf_up%.*}
  _pf_f=${_pf_up#*.}
  [ "$_pf_f" = "$_pf_up" ] && _pf_f=0
  _pf_f=${_pf_f}00
  _pf_f=${_pf_f%"${_pf_f#??}"}
  _pf_f=${_pf_f#0}
  PF_NOW=$((_pf_s * 1000000000 + ${_pf_f:-0} * 10000000))
}

pf_now() {
  case $PF_CLOCK in
    timer_list) _pf_now_timer_list ;;
    date) PF_NOW=$(date +%s%N) ;;
    *) _pf_now_uptime ;;
  esac
}

# pf_clock_init: picks the clock, measures its overhead (smallest of 5
# back-to-back pairs): what every sample contains on top of the operation.
pf_clock_init() {
  PF_CLOCK=
  if [ -z "${PFNLAB_CLOCK:-}" ] || [ "${PFNLAB_CLOCK:-}" = timer_list ]; then
    if [ -r /proc/timer_list ] && _pf_now_timer_list 2>/dev/null; then
      case $PF_NOW in '' | *[!0-9]*) ;; *) PF_CLOCK=timer_list PF_CLOCK_RES_NS=1 ;; esac
    fi
  fi
  if [ -z "$PF_CLOCK" ] && [ "${PFNLAB_CLOCK:-date}" = date ]; then
    _pf_d=$(date +%s%N 2>/dev/null)
    case $_pf_d in '' | *[!0-9]*) ;; *) PF_CLOCK=date PF_CLOCK_RES_NS=1 ;; esac
  fi
  [ -n "$PF_CLOCK" ] || { PF_CLOCK=uptime; PF_CLOCK_RES_NS=10000000; }
  PF_CLOCK_OVERHEAD_NS=
  _pf_i=0
  while [ $_pf_i -lt 5 ]; do
    pf_now
    _pf_a=$PF_NOW
    pf_now
    _pf_d=$((PF_NOW - _pf_a))
    if [ -z "$PF_CLOCK_OVERHEAD_NS" ] || [ "$_pf_d" -lt "$PF_CLOCK_OVERHEAD_NS" ]; then PF_CLOCK_OVERHEAD_NS=$_pf_d; fi
    _pf_i=$((_pf_i + 1))
  done
}

# ---- environment ------------------------------------------------------------
pf_uname() {
  PF_ARCH=$(uname -m 2>/dev/null)
  PF_KREL=$(uname -r 2>/dev/null)
  pf_v "$PF_ARCH"
  PF_ARCH=$PF_V
  pf_v "$PF_KREL"
  PF_KREL=$PF_V
}

# pf_section_bits MACHINE RELEASE PAGE_BYTES: PF_SECTION_BITS = the kernel's
# SECTION_SIZE_BITS (arch/*/include/asm/sparsemem.h: a compile-time constant
# that no file in /proc or /sys shows); false for an arch not in this table.
pf_section_bits() {
  PF_SECTION_BITS=
  case $1 in
    x86_64) PF_SECTION_BITS=27 ;;
    ppc64 | ppc64le) PF_SECTION_BITS=24 ;;
    s390x) PF_SECTION_BITS=28 ;;
    aarch64 | arm64)
      # 1 GiB before 5.12; since then 128 MiB, or 512 MiB with 64K pages
      _pf_maj=${2%%.*}
      _pf_min=${2#*.}
      _pf_min=${_pf_min%%[!0-9]*}
      pf_uint "$_pf_maj" && pf_uint "$_pf_min" || return 1
      if [ "$_pf_maj" -lt 5 ] || { [ "$_pf_maj" = 5 ] && [ "$_pf_min" -lt 12 ]; }; then
        PF_SECTION_BITS=30
      elif [ "$3" = 65536 ]; then
        PF_SECTION_BITS=29
      else
        PF_SECTION_BITS=27
      fi
      ;;
    *) return 1 ;;
  esac
  return 0
}

pf_is_root() {
  [ "$(id -u 2>/dev/null)" = 0 ]
}

# pf_memory_sysfs_usable: true when the memory block sysfs exists and may be
# written (root, or a test tree); otherwise prints the skip and end lines
# and is false, so a payload does `pf_memory_sysfs_usable || exit 0`.
pf_memory_sysfs_usable() {
  if [ ! -d "$PF_MEM" ]; then
    pf_skip no_memory_sysfs "detail=$PF_MEM"
    pf_end skip reason=no_memory_sysfs
    return 1
  fi
  if [ -z "${PFNLAB_MEM_ROOT:-}" ] && ! pf_is_root; then
    pf_skip not_root
    pf_end skip reason=not_root
    return 1
  fi
  return 0
}

# pf_begin PAYLOAD [key=value...]: init, clock, the begin line.
pf_begin() {
  pf_init "$1"
  shift
  pf_clock_init
  pf_uname
  pf_emit begin "payload=$PF_PAYLOAD" "arch=$PF_ARCH" "kernel=$PF_KREL" "clock=$PF_CLOCK" \
    "clock_res_ns=$PF_CLOCK_RES_NS" "clock_overhead_ns=$PF_CLOCK_OVERHEAD_NS" "$@"
}

# pf_errno FILE: PF_ERRNO = the errno name of the strerror text in FILE (a
# failed write's message from the shell), "E?" when unknown, "" when empty.
pf_errno() {
  PF_ERRNO=
  _pf_msg=
  [ -s "$1" ] || return 0
  while IFS= read -r _pf_line || [ -n "$_pf_line" ]; do _pf_msg="$_pf_msg $_pf_line"; done <"$1"
  case $_pf_msg in
    *'Device or resource busy'*) PF_ERRNO=EBUSY ;;
    *'Invalid argument'*) PF_ERRNO=EINVAL ;;
    *'Resource temporarily unavailable'*) PF_ERRNO=EAGAIN ;;
    *'Cannot allocate memory'* | *'Out of memory'*) PF_ERRNO=ENOMEM ;;
    *'Interrupted system call'*) PF_ERRNO=EINTR ;;
    *'Operation not permitted'*) PF_ERRNO=EPERM ;;
    *'Permission denied'*) PF_ERRNO=EACCES ;;
    *'Read-only file system'*) PF_ERRNO=EROFS ;;
    *'No such file or directory'*) PF_ERRNO=ENOENT ;;
    *'No such device'*) PF_ERRNO=ENODEV ;;
    *'Input/output error'*) PF_ERRNO=EIO ;;
    *'timed out'*) PF_ERRNO=ETIMEDOUT ;;
    *'No space left on device'*) PF_ERRNO=ENOSPC ;;
    *'File exists'*) PF_ERRNO=EEXIST ;;
    *'Is a directory'*) PF_ERRNO=EISDIR ;;
    *) PF_ERRNO=EUNKNOWN ;;
  esac
  return 0
}

# pf_tmpdir NAME: PF_TMP = a fresh private directory.
pf_tmpdir() {
  PF_TMP=${TMPDIR:-/tmp}/pfnlab-$1.$$
  rm -rf "$PF_TMP" 2>/dev/null
  mkdir -p "$PF_TMP" && chmod 700 "$PF_TMP"
}

# pf_sleep_short: sleeps about 50 ms where sleep takes fractions, else 1 s
# (PF_POLL_NS says which).
pf_poll_init() {
  if sleep 0.01 2>/dev/null; then PF_POLL=0.05 PF_POLL_NS=50000000; else PF_POLL=1 PF_POLL_NS=1000000000; fi
}
pf_sleep_short() {
  sleep "$PF_POLL" 2>/dev/null
}

# pf_uint VALUE: true when VALUE is a non-negative decimal integer.
pf_uint() {
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  return 0
}

# ---- timed sysfs writes -------------------------------------------------------
# A write to memoryN/state can loop in the kernel for a long time (offline
# retries migration until a signal). With PFNLAB_OP_TIMEOUT > 0 (seconds,
# default 300) every write runs in a forked subshell that takes its own
# timestamps (the fork is outside the measured interval), and one watchdog
# process for the whole run SIGKILLs a write older than the timeout (the
# kernel then gives up with EINTR). PFNLAB_OP_TIMEOUT=0: writes run in the
# payload's shell itself, no watchdog.
PF_WATCHDOG=
pf_watchdog_start() {
  PF_OP_TIMEOUT=${PFNLAB_OP_TIMEOUT:-300}
  pf_uint "$PF_OP_TIMEOUT" || PF_OP_TIMEOUT=300
  PF_WATCHDOG=
  [ "$PF_OP_TIMEOUT" -gt 0 ] || return 0
  _pf_main=$$
  : >"$PF_TMP/op.pid"
  (
    _pf_n=0
    _pf_last=
    while kill -s 0 "$_pf_main" 2>/dev/null && [ -d "$PF_TMP" ]; do
      sleep 1
      _pf_p=
      [ -s "$PF_TMP/op.pid" ] && read -r _pf_p <"$PF_TMP/op.pid" 2>/dev/null
      if [ -n "$_pf_p" ] && [ "$_pf_p" = "$_pf_last" ]; then
        _pf_n=$((_pf_n + 1))
        if [ "$_pf_n" -ge "$PF_OP_TIMEOUT" ]; then
          kill -s KILL "$_pf_p" 2>/dev/null
          _pf_n=0
        fi
      else
        _pf_n=0
        _pf_last=$_pf_p
      fi
    done
  ) </dev/null >/dev/null 2>&1 &
  PF_WATCHDOG=$!
}

pf_watchdog_stop() {
  [ -n "$PF_WATCHDOG" ] && kill "$PF_WATCHDOG" 2>/dev/null
  PF_WATCHDOG=
}

# pf_write FILE VALUE: VALUE and a newline into FILE, the shell's message on
# stderr when the write fails. busybox ash prints why (the strerror text:
# "sh: write error: Device or resource busy") for echo but says nothing at
# all for printf; dash names no errno for either ("I/O error"). So echo for
# the plain words the payloads write (offline, online_movable, 1), printf
# only for what echo could mangle (a leading -, a backslash).
pf_write() {
  case $2 in
    -* | *\\*) printf '%s\n' "$2" >"$1" ;;
    *) echo "$2" >"$1" ;;
  esac
}

# pf_write_timed FILE VALUE: writes VALUE to FILE, timed. Sets PF_OP_RC (0,
# the shell's status, or "timeout"), PF_OP_NS (empty after a timeout) and
# PF_ERRNO (EBUSY, EINVAL, ...: from the shell's message).
pf_write_timed() {
  rm -f "$PF_TMP/op.res" "$PF_TMP/op.err"
  PF_OP_NS=
  if [ -n "$PF_WATCHDOG" ]; then
    (
      pf_now
      _pf_t0=$PF_NOW
      { pf_write "$1" "$2"; } 2>"$PF_TMP/op.err"
      _pf_rc=$?
      pf_now
      printf '%s %s %s\n' "$_pf_rc" "$_pf_t0" "$PF_NOW" >"$PF_TMP/op.res"
    ) &
    _pf_pid=$!
    printf '%s\n' "$_pf_pid" >"$PF_TMP/op.pid"
    wait "$_pf_pid"
    : >"$PF_TMP/op.pid"
    if [ -s "$PF_TMP/op.res" ]; then
      read -r PF_OP_RC _pf_t0 _pf_t1 <"$PF_TMP/op.res"
      PF_OP_NS=$((_pf_t1 - _pf_t0))
    else
      PF_OP_RC=timeout
    fi
  else
    pf_now
    _pf_t0=$PF_NOW
    { pf_write "$1" "$2"; } 2>"$PF_TMP/op.err"
    PF_OP_RC=$?
    pf_now
    PF_OP_NS=$((PF_NOW - _pf_t0))
  fi
  PF_ERRNO=
  if [ "$PF_OP_RC" = timeout ]; then
    PF_ERRNO=ETIMEDOUT
  elif [ "$PF_OP_RC" != 0 ]; then
    pf_errno "$PF_TMP/op.err"
    [ -n "$PF_ERRNO" ] || PF_ERRNO=EUNKNOWN
  fi
  return 0
}

# ---- memory blocks -----------------------------------------------------------
PF_MEM=${PFNLAB_MEM_ROOT:-/sys/devices/system/memory}

# pf_read1 FILE: PF_R = the first line of FILE ("" when unreadable).
pf_read1() {
  PF_R=
  [ -r "$1" ] || return 1
  IFS= read -r PF_R <"$1" 2>/dev/null || [ -n "$PF_R" ]
}

# pf_block_list: PF_BLOCKS = the memory block names (memoryN), ascending N.
pf_block_list() {
  PF_BLOCKS=
  for _pf_b in "$PF_MEM"/memory[0-9]*; do
    [ -d "$_pf_b" ] || continue
    PF_BLOCKS="$PF_BLOCKS ${_pf_b##*/}"
  done
  # glob order is lexical (memory10 before memory2): sort numerically once.
  if [ -n "$PF_BLOCKS" ]; then
    PF_BLOCKS=$(for _pf_b in $PF_BLOCKS; do printf '%s\n' "${_pf_b#memory}"; done | sort -n | sed 's/^/memory/' | tr '\n' ' ')
  fi
}

# pf_in_list WORD LIST: true when WORD is one of the space-separated LIST.
pf_in_list() {
  case " $2 " in *" $1 "*) return 0 ;; esac
  return 1
}
