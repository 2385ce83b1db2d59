#!/bin/sh
# hotplug-offline-online.sh ITERATIONS MAX_BLOCKS [POLICY]
#
# Offlines and onlines up to MAX_BLOCKS memory blocks, ITERATIONS times, and
# prints the wall time of every offline and every online (ns). Blocks are
# chosen automatically: online, removable (where the file exists), never
# memory0 nor a block holding the kernel image (/proc/iomem), and in
# ZONE_MOVABLE. POLICY "any" (default "movable") also takes blocks of the
# kernel zones after the movable ones: their offline often fails with EBUSY,
# which is counted as data like every other errno. A block is restored to
# its zone (online_movable / online) after every iteration and on exit.
# A block whose offline fails 3 times in a row is dropped from the loop.
#
# Environment: PFNLAB_OP_TIMEOUT (s, default 300; 0 = no watchdog),
# PFNLAB_MEM_ROOT, PFNLAB_IOMEM (tests), PFNLAB_CLOCK (timer_list|date|uptime).
# Output: marker lines, libs/payloads/README.md.

case $0 in */*) PF_DIR=${0%/*} ;; *) PF_DIR=. ;; esac
. "$PF_DIR/pfnlab-common.sh" # pfnlab:inline-common

ITER=${1:-}
MAXB=${2:-}
POLICY=${3:-movable}

pf_begin hotplug-offline-online "iterations=${ITER:-none}" "max_blocks=${MAXB:-none}" "policy=$POLICY"

usage_fail() {
  pf_end fail "reason=$1"
  exit 2
}
pf_uint "$ITER" && [ "$ITER" -ge 1 ] && [ "$ITER" -le 100000 ] || usage_fail bad_iterations
pf_uint "$MAXB" && [ "$MAXB" -ge 1 ] && [ "$MAXB" -le 4096 ] || usage_fail bad_max_blocks
case $POLICY in movable | any) ;; *) usage_fail bad_policy ;; esac

pf_memory_sysfs_usable || exit 0
pf_read1 "$PF_MEM/block_size_bytes"
case $PF_R in '' | *[!0-9a-fA-F]*)
  pf_skip no_block_size "detail=$PF_MEM/block_size_bytes"
  pf_end skip reason=no_block_size
  exit 0
  ;;
esac
BS=$((0x$PF_R))
pf_emit info "block_size_bytes=$BS"

# Blocks holding the kernel image (code, rodata, data, bss).
KBLOCKS=
KRANGES=unknown
IOMEM=${PFNLAB_IOMEM:-/proc/iomem}
if [ -r "$IOMEM" ]; then
  while IFS= read -r line; do
    case $line in
      *' : Kernel '*)
        r=${line%% :*}
        r=${r#"${r%%[! ]*}"}
        s=${r%-*}
        e=${r#*-}
        case $s$e in '' | *[!0-9a-fA-F]*) continue ;; esac
        [ "$((0x$e))" -eq 0 ] && continue # addresses hidden (not root)
        KRANGES=known
        b=$((0x$s / BS))
        last=$((0x$e / BS))
        while [ "$b" -le "$last" ]; do
          pf_in_list "$b" "$KBLOCKS" || KBLOCKS="$KBLOCKS $b"
          b=$((b + 1))
        done
        ;;
    esac
  done <"$IOMEM"
fi
KB=$(printf '%s' "${KBLOCKS# }" | tr ' ' ':')
pf_emit info "kernel_ranges=$KRANGES" "kernel_blocks=${KB:-none}"

# Candidates.
pf_block_list
n_online=0 n_movable=0 n_kernel_zone=0 n_excluded=0 n_not_removable=0 n_mixed=0 n_readonly=0
MOVABLE=
KERNELZ=
for blk in $PF_BLOCKS; do
  n=${blk#memory}
  d=$PF_MEM/$blk
  pf_read1 "$d/state"
  [ "$PF_R" = online ] || continue
  n_online=$((n_online + 1))
  if [ "$n" = 0 ] || pf_in_list "$n" "$KBLOCKS"; then
    n_excluded=$((n_excluded + 1))
    continue
  fi
  if [ -e "$d/removable" ]; then
    pf_read1 "$d/removable"
    if [ "$PF_R" != 1 ]; then
      n_not_removable=$((n_not_removable + 1))
      continue
    fi
  fi
  if [ ! -w "$d/state" ]; then
    n_readonly=$((n_readonly + 1))
    continue
  fi
  zone=
  [ -r "$d/valid_zones" ] && pf_read1 "$d/valid_zones" && zone=$PF_R
  case " $zone " in
    *' none '*) n_mixed=$((n_mixed + 1)) ;;
    *' Movable '*)
      n_movable=$((n_movable + 1))
      MOVABLE="$MOVABLE $blk"
      ;;
    *)
      n_kernel_zone=$((n_kernel_zone + 1))
      KERNELZ="$KERNELZ $blk"
      ;;
  esac
done

CHOSEN=
for blk in $MOVABLE; do CHOSEN="$CHOSEN $blk"; done
[ "$POLICY" = any ] && for blk in $KERNELZ; do CHOSEN="$CHOSEN $blk"; done
set -- $CHOSEN
CHOSEN=
NCHOSEN=0
while [ $# -gt 0 ] && [ "$NCHOSEN" -lt "$MAXB" ]; do
  CHOSEN="$CHOSEN $1"
  NCHOSEN=$((NCHOSEN + 1))
  shift
done
COUNTS="online=$n_online movable=$n_movable kernel_zone=$n_kernel_zone excluded_kernel=$n_excluded not_removable=$n_not_removable mixed_zones=$n_mixed read_only=$n_readonly"

if [ -z "$CHOSEN" ]; then
  if [ "$n_readonly" -gt 0 ] && [ $((n_movable + n_kernel_zone)) -eq 0 ]; then
    reason=memory_sysfs_not_writable
  elif [ "$POLICY" = movable ]; then
    reason=no_movable_block
  else
    reason=no_removable_block
  fi
  pf_skip "$reason" "policy=$POLICY" $COUNTS
  pf_end skip "reason=$reason"
  exit 0
fi

# Original zone of each chosen block -> how to online it again.
for blk in $CHOSEN; do
  zone=Movable
  pf_read1 "$PF_MEM/$blk/valid_zones" && zone=${PF_R%% *}
  case $zone in Movable) how=online_movable ;; *) how=online ;; esac
  eval "HOW_$blk=\$how ZONE_$blk=\$zone FAILS_$blk=0 OFF_$blk="
  pf_read1 "$PF_MEM/$blk/phys_index"
  pf_emit info "block=$blk" "zone=$zone" "online_with=$how" "phys_index=${PF_R:-unknown}"
done
pf_emit info "chosen=$NCHOSEN" $COUNTS

pf_tmpdir hotplug-offline-online || { pf_end fail reason=no_tmpdir; exit 1; }

# Every block we offlined goes back online, whatever happens.
restore() {
  for blk in $CHOSEN; do
    eval "off=\$OFF_$blk how=\$HOW_$blk"
    [ -n "$off" ] || continue
    pf_read1 "$PF_MEM/$blk/state"
    if [ "$PF_R" = offline ]; then
      pf_write_timed "$PF_MEM/$blk/state" "$how"
      if [ "$PF_OP_RC" = 0 ]; then
        pf_emit count metric=restored value=1 unit=count "block=$blk"
      else
        pf_emit count metric=restore_error value=1 unit=count "block=$blk" "errno=$PF_ERRNO"
      fi
    fi
    eval "OFF_$blk="
  done
}
finish() {
  restore
  pf_watchdog_stop
  rm -rf "$PF_TMP" 2>/dev/null
}
on_signal() {
  trap - EXIT
  finish
  pf_end fail "reason=signal_$1"
  exit 1
}
trap finish EXIT
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT
trap '' HUP PIPE

pf_watchdog_start

ACTIVE=$CHOSEN
i=0
while [ "$i" -lt "$ITER" ]; do
  for blk in $ACTIVE; do
    st=$PF_MEM/$blk/state
    eval "how=\$HOW_$blk zone=\$ZONE_$blk fails=\$FAILS_$blk"
    pf_read1 "$st"
    if [ "$PF_R" != online ]; then
      pf_emit count metric=not_online value=1 unit=count "block=$blk" "iter=$i" "state=${PF_R:-unknown}"
      continue
    fi
    pf_write_timed "$st" offline
    if [ "$PF_OP_RC" != 0 ]; then
      pf_emit count metric=offline_error value=1 unit=count "errno=$PF_ERRNO" "block=$blk" "zone=$zone" "iter=$i"
      [ -n "$PF_OP_NS" ] && pf_emit sample metric=offline_failed value="$PF_OP_NS" unit=ns "errno=$PF_ERRNO" "block=$blk" "zone=$zone" "iter=$i"
      fails=$((fails + 1))
      eval "FAILS_$blk=\$fails"
      # the kernel may have offlined it anyway (a write error after the fact)
      pf_read1 "$st"
      [ "$PF_R" = offline ] && eval "OFF_$blk=1"
      if [ "$fails" -ge 3 ]; then
        pf_emit count metric=block_dropped value=1 unit=count "block=$blk" "errno=$PF_ERRNO" "iter=$i"
        nact=
        for b2 in $ACTIVE; do [ "$b2" = "$blk" ] || nact="$nact $b2"; done
        ACTIVE=$nact
      fi
      [ "$PF_R" = offline ] || continue
    else
      eval "OFF_$blk=1 FAILS_$blk=0"
      pf_emit sample metric=offline value="$PF_OP_NS" unit=ns "block=$blk" "zone=$zone" "iter=$i"
    fi
    pf_write_timed "$st" "$how"
    if [ "$PF_OP_RC" != 0 ]; then
      pf_emit count metric=online_error value=1 unit=count "errno=$PF_ERRNO" "block=$blk" "zone=$zone" "iter=$i"
    else
      eval "OFF_$blk="
      pf_emit sample metric=online value="$PF_OP_NS" unit=ns "block=$blk" "zone=$zone" "iter=$i"
    fi
  done
  # a block that could not be onlined is retried (restored) before the next round
  restore
  i=$((i + 1))
  [ -n "$ACTIVE" ] || break
done

trap - EXIT
finish
# Blocks that always failed (EBUSY...) are data, not a failure of the payload.
pf_end ok "iterations_done=$i" "blocks_left=$(printf '%s' "$ACTIVE" | wc -w | tr -d ' ')"
exit 0
