#!/bin/sh
# pfn-walk.sh [ITERATIONS]
#
# The pfn walkers, timed (ITERATIONS, default 3, each):
#   kpageflags: a full read of /proc/kpageflags (dd to /dev/null), with the
#               bytes read (8 per pfn) and a dd of /dev/null as the exec
#               baseline contained in every sample;
#   compaction: echo 1 > /proc/sys/vm/compact_memory (synchronous: all zones),
#               with the compaction scanners' /proc/vmstat deltas.
# Each part that cannot run says why (skip part=... reason=...); the payload
# is a SKIP when neither can.

case $0 in */*) PF_DIR=${0%/*} ;; *) PF_DIR=. ;; esac
. "$PF_DIR/pfnlab-common.sh" # pfnlab:inline-common

ITER=${1:-3}
pf_begin pfn-walk "iterations=$ITER"
pf_uint "$ITER" && [ "$ITER" -ge 1 ] && [ "$ITER" -le 10000 ] || { pf_end fail reason=bad_iterations; exit 2; }
pf_tmpdir pfn-walk || { pf_end fail reason=no_tmpdir; exit 1; }
trap 'rm -rf "$PF_TMP"' EXIT
trap '' HUP PIPE

KPF=${PFNLAB_KPAGEFLAGS:-/proc/kpageflags}
COMPACT=${PFNLAB_COMPACT:-/proc/sys/vm/compact_memory}
ran=0

# dd's "N bytes ... copied" line (GNU and busybox both print it on stderr).
dd_bytes() {
  DD_BYTES=
  while IFS= read -r l; do
    case $l in *' bytes '* | *' bytes') DD_BYTES=${l%% *} ;; esac
  done <"$1"
  pf_uint "$DD_BYTES" || DD_BYTES=
}

# ---- kpageflags ----------------------------------------------------------------
if [ ! -e "$KPF" ]; then
  pf_skip no_kpageflags part=kpageflags detail=CONFIG_PROC_PAGE_MONITOR
elif [ ! -r "$KPF" ] || ! dd if="$KPF" of=/dev/null bs=8 count=1 2>/dev/null; then
  if pf_is_root; then pf_skip kpageflags_unreadable part=kpageflags; else pf_skip not_root part=kpageflags; fi
else
  ran=1
  i=0
  while [ "$i" -lt "$ITER" ]; do
    pf_now
    t0=$PF_NOW
    dd if=/dev/null of=/dev/null 2>/dev/null
    pf_now
    pf_emit sample metric=dd_exec_baseline "value=$((PF_NOW - t0))" unit=ns "iter=$i"
    pf_now
    t0=$PF_NOW
    dd if="$KPF" of=/dev/null bs=65536 2>"$PF_TMP/dd.err"
    rc=$?
    pf_now
    t1=$PF_NOW
    dd_bytes "$PF_TMP/dd.err"
    # busybox dd without its third status line: count the bytes in a second, untimed read
    if [ $rc = 0 ] && [ -z "$DD_BYTES" ]; then
      DD_BYTES=$(wc -c <"$KPF" 2>/dev/null | tr -d ' ')
      pf_uint "$DD_BYTES" || DD_BYTES=
    fi
    if [ $rc != 0 ] || [ -z "$DD_BYTES" ]; then
      pf_errno "$PF_TMP/dd.err"
      pf_emit count metric=kpageflags_error value=1 unit=count "errno=${PF_ERRNO:-EUNKNOWN}" "iter=$i"
    else
      pf_emit sample metric=kpageflags_read "value=$((t1 - t0))" unit=ns "iter=$i"
      pf_emit sample metric=kpageflags_bytes "value=$DD_BYTES" unit=bytes "iter=$i"
      pf_emit sample metric=kpageflags_pfns "value=$((DD_BYTES / 8))" unit=pages "iter=$i"
    fi
    i=$((i + 1))
  done
fi

# ---- compaction ----------------------------------------------------------------
vmstat_compact() { # -> CM (migrate scanned) CF (free scanned) CI (isolated)
  CM=0 CF=0 CI=0
  while read -r k v; do
    case $k in
      compact_migrate_scanned) CM=$v ;;
      compact_free_scanned) CF=$v ;;
      compact_isolated) CI=$v ;;
    esac
  done </proc/vmstat
}

if [ ! -e "$COMPACT" ]; then
  pf_skip no_compaction part=compaction detail=CONFIG_COMPACTION
elif [ ! -w "$COMPACT" ]; then
  if pf_is_root; then pf_skip compact_memory_not_writable part=compaction; else pf_skip not_root part=compaction; fi
else
  ran=1
  i=0
  while [ "$i" -lt "$ITER" ]; do
    vmstat_compact
    m0=$CM f0=$CF i0=$CI
    pf_now
    t0=$PF_NOW
    { pf_write "$COMPACT" 1; } 2>"$PF_TMP/c.err"
    rc=$?
    pf_now
    t1=$PF_NOW
    if [ $rc != 0 ]; then
      pf_errno "$PF_TMP/c.err"
      pf_emit count metric=compaction_error value=1 unit=count "errno=${PF_ERRNO:-EUNKNOWN}" "iter=$i"
    else
      vmstat_compact
      pf_emit sample metric=compaction "value=$((t1 - t0))" unit=ns "iter=$i"
      pf_emit sample metric=compact_migrate_scanned "value=$((CM - m0))" unit=pages "iter=$i"
      pf_emit sample metric=compact_free_scanned "value=$((CF - f0))" unit=pages "iter=$i"
      pf_emit sample metric=compact_isolated "value=$((CI - i0))" unit=pages "iter=$i"
    fi
    i=$((i + 1))
  done
fi

if [ $ran = 1 ]; then
  pf_end ok
else
  pf_end skip reason=no_pfn_walker
fi
exit 0
