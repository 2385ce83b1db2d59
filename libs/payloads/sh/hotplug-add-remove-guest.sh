#!/bin/sh
# hotplug-add-remove-guest.sh PHASE [ARGS]
#
# The guest half of a host-driven memory add/remove (QMP pc-dimm or
# virtio-mem in the virtual lab; ACPI, DLPAR, s390 standby on real
# machines). The host acts between the phases; hotplugAddRemovePlan() in
# libs/payloads/src describes the whole sequence as data.
#   prepare                    remember the memory blocks that exist now
#   wait-added N_BLOCKS TIMEOUT_S
#                              prints `info ready=1` (the host may act now),
#                              then waits for N_BLOCKS new blocks: time to
#                              each (block_visible) and to all (add_visible)
#   online [TYPE]              onlines the new blocks (TYPE: online_movable,
#                              default, online, online_kernel), timed each
#   offline                    offlines them, timed each; errno counted
#   wait-removed TIMEOUT_S     waits until the new blocks are gone (after
#                              the host's remove): remove_visible
#   cleanup                    forgets the state
# State: $PFNLAB_HOTPLUG_STATE (default /tmp/pfnlab-hotplug). Times are
# measured from the start of the phase (wait-added: from `ready`).

case $0 in */*) PF_DIR=${0%/*} ;; *) PF_DIR=. ;; esac
. "$PF_DIR/pfnlab-common.sh" # pfnlab:inline-common

PHASE=${1:-}
[ $# -gt 0 ] && shift
STATE=${PFNLAB_HOTPLUG_STATE:-/tmp/pfnlab-hotplug}

pf_begin hotplug-add-remove "phase=${PHASE:-none}"
case $PHASE in prepare | wait-added | online | offline | wait-removed | cleanup) ;; *) pf_end fail reason=usage; exit 2 ;; esac
if [ "$PHASE" = cleanup ]; then
  rm -rf "$STATE"
  pf_end ok
  exit 0
fi
pf_memory_sysfs_usable || exit 0
mkdir -p "$STATE" 2>/dev/null || { pf_end fail reason=state_dir_not_writable; exit 1; }
pf_tmpdir hotplug-add-remove || { pf_end fail reason=no_tmpdir; exit 1; }
trap 'rm -rf "$PF_TMP"' EXIT
trap '' HUP PIPE

memtotal() {
  MEMTOTAL_KB=
  while read -r k v u; do [ "$k" = MemTotal: ] && MEMTOTAL_KB=$v && break; done </proc/meminfo
}

# the blocks added since `prepare` (or since wait-added began), as recorded
added_blocks() {
  ADDED=
  [ -s "$STATE/added" ] && read -r ADDED <"$STATE/added"
}

case $PHASE in
  prepare)
    pf_block_list
    printf '%s\n' "$PF_BLOCKS" >"$STATE/baseline"
    rm -f "$STATE/added"
    memtotal
    set -- $PF_BLOCKS
    pf_emit info "blocks=$#" "memtotal_kb=${MEMTOTAL_KB:-0}"
    pf_end ok
    ;;

  wait-added)
    N=${1:-}
    TO=${2:-}
    pf_uint "$N" && [ "$N" -ge 1 ] && [ "$N" -le 65536 ] || { pf_end fail reason=bad_n_blocks; exit 2; }
    pf_uint "$TO" && [ "$TO" -ge 1 ] && [ "$TO" -le 86400 ] || { pf_end fail reason=bad_timeout; exit 2; }
    if [ -s "$STATE/baseline" ]; then
      read -r BASE <"$STATE/baseline"
    else
      pf_block_list
      BASE=$PF_BLOCKS
      printf '%s\n' "$BASE" >"$STATE/baseline"
    fi
    pf_poll_init
    memtotal
    m0=${MEMTOTAL_KB:-0}
    pf_now
    T0=$PF_NOW
    DEADLINE=$((T0 + TO * 1000000000))
    pf_emit info ready=1 "poll_ns=$PF_POLL_NS" "baseline_blocks=$(set -- $BASE; echo $#)"
    SEEN=
    nseen=0
    while :; do
      for b in "$PF_MEM"/memory[0-9]*; do
        [ -d "$b" ] || continue
        name=${b##*/}
        pf_in_list "$name" "$BASE" && continue
        pf_in_list "$name" "$SEEN" && continue
        pf_now
        SEEN="$SEEN $name"
        nseen=$((nseen + 1))
        pf_read1 "$b/state"
        pf_emit sample metric=block_visible "value=$((PF_NOW - T0))" unit=ns "block=$name" "state=${PF_R:-unknown}"
      done
      [ "$nseen" -ge "$N" ] && break
      pf_now
      [ "$PF_NOW" -ge "$DEADLINE" ] && break
      pf_sleep_short
    done
    pf_now
    printf '%s\n' "$SEEN" >"$STATE/added"
    if [ "$nseen" -ge "$N" ]; then
      memtotal
      pf_emit sample metric=add_visible "value=$((PF_NOW - T0))" unit=ns "blocks=$nseen"
      pf_emit info "memtotal_kb=${MEMTOTAL_KB:-0}" "memtotal_delta_kb=$((${MEMTOTAL_KB:-0} - m0))"
      pf_end ok "blocks=$nseen"
    else
      pf_emit count metric=add_timeout value=1 unit=count "blocks_seen=$nseen" "blocks_wanted=$N"
      pf_end fail reason=timeout_waiting_for_blocks "blocks_seen=$nseen"
    fi
    ;;

  online | offline)
    if [ "$PHASE" = online ]; then
      TYPE=${1:-online_movable}
      case $TYPE in online | online_movable | online_kernel) ;; *) pf_end fail reason=bad_online_type; exit 2 ;; esac
      want=offline
    else
      TYPE=offline
      want=online
    fi
    added_blocks
    if [ -z "$ADDED" ]; then
      # no recorded blocks: every block in the other state, past the baseline
      pf_block_list
      base=
      [ -s "$STATE/baseline" ] && read -r base <"$STATE/baseline"
      for b in $PF_BLOCKS; do
        pf_in_list "$b" "$base" && continue
        ADDED="$ADDED $b"
      done
    fi
    if [ -z "$ADDED" ]; then
      pf_skip no_added_block
      pf_end skip reason=no_added_block
      exit 0
    fi
    pf_watchdog_start
    trap 'pf_watchdog_stop; rm -rf "$PF_TMP"' EXIT
    pf_now
    T0=$PF_NOW
    ndone=0
    for b in $ADDED; do
      st=$PF_MEM/$b/state
      pf_read1 "$st"
      if [ "$PF_R" != "$want" ]; then
        pf_emit count "metric=already_${PHASE}" value=1 unit=count "block=$b" "state=${PF_R:-gone}"
        continue
      fi
      pf_write_timed "$st" "$TYPE"
      if [ "$PF_OP_RC" = 0 ]; then
        ndone=$((ndone + 1))
        pf_emit sample "metric=$PHASE" "value=$PF_OP_NS" unit=ns "block=$b" "type=$TYPE"
      else
        pf_emit count "metric=${PHASE}_error" value=1 unit=count "errno=$PF_ERRNO" "block=$b"
      fi
    done
    pf_now
    pf_emit sample "metric=${PHASE}_total" "value=$((PF_NOW - T0))" unit=ns "blocks=$ndone"
    pf_end ok "blocks=$ndone"
    ;;

  wait-removed)
    TO=${1:-}
    pf_uint "$TO" && [ "$TO" -ge 1 ] && [ "$TO" -le 86400 ] || { pf_end fail reason=bad_timeout; exit 2; }
    added_blocks
    if [ -z "$ADDED" ]; then
      pf_skip no_added_block
      pf_end skip reason=no_added_block
      exit 0
    fi
    pf_poll_init
    memtotal
    m0=${MEMTOTAL_KB:-0}
    pf_now
    T0=$PF_NOW
    DEADLINE=$((T0 + TO * 1000000000))
    pf_emit info ready=1 "poll_ns=$PF_POLL_NS"
    LEFT=$ADDED
    while :; do
      nl=
      for b in $LEFT; do
        if [ -d "$PF_MEM/$b" ]; then
          nl="$nl $b"
        else
          pf_now
          pf_emit sample metric=block_gone "value=$((PF_NOW - T0))" unit=ns "block=$b"
        fi
      done
      LEFT=$nl
      [ -z "$LEFT" ] && break
      pf_now
      [ "$PF_NOW" -ge "$DEADLINE" ] && break
      pf_sleep_short
    done
    pf_now
    if [ -z "$LEFT" ]; then
      memtotal
      pf_emit sample metric=remove_visible "value=$((PF_NOW - T0))" unit=ns "blocks=$(set -- $ADDED; echo $#)"
      pf_emit info "memtotal_kb=${MEMTOTAL_KB:-0}" "memtotal_delta_kb=$((${MEMTOTAL_KB:-0} - m0))"
      rm -f "$STATE/added"
      pf_end ok
    else
      for b in $LEFT; do
        pf_read1 "$PF_MEM/$b/state"
        pf_emit count metric=remove_timeout value=1 unit=count "block=$b" "state=${PF_R:-unknown}"
      done
      pf_end fail reason=timeout_waiting_for_removal "blocks_left=$(set -- $LEFT; echo $#)"
    fi
    ;;
esac
exit 0
