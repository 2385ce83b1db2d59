#!/bin/sh
# zone-device.sh ITERATIONS
#
# ZONE_DEVICE setup and teardown, timed, ITERATIONS times each:
#   test_hmm: load and unload of the test_hmm module (CONFIG_TEST_HMM; its
#             init creates DEVICE_PRIVATE memory through memremap_pages());
#   dax_kmem: `daxctl reconfigure-device` of a devdax namespace to
#             system-ram (hot-add through dax/kmem) and back to devdax.
# A part that cannot run says why (skip part=... reason=...); the payload is
# a SKIP when neither can. Both restore the state they found.
# Samples include the fork/exec of the tool: see the exec_baseline samples.

case $0 in */*) PF_DIR=${0%/*} ;; *) PF_DIR=. ;; esac
. "$PF_DIR/pfnlab-common.sh" # pfnlab:inline-common

ITER=${1:-}
pf_begin zone-device "iterations=${ITER:-none}"
pf_uint "$ITER" && [ "$ITER" -ge 1 ] && [ "$ITER" -le 10000 ] || { pf_end fail reason=bad_iterations; exit 2; }
pf_tmpdir zone-device || { pf_end fail reason=no_tmpdir; exit 1; }
trap 'rm -rf "$PF_TMP"' EXIT
trap '' HUP PIPE
ran=0
KREL=$(uname -r)
MODDIR=${PFNLAB_MODULES_DIR:-/lib/modules/$KREL}

# timed COMMAND...: RC, NS; the command's stderr in $PF_TMP/cmd.err
timed() {
  pf_now
  _t0=$PF_NOW
  "$@" >/dev/null 2>"$PF_TMP/cmd.err"
  RC=$?
  pf_now
  NS=$((PF_NOW - _t0))
}

# kconfig OPTION: KVAL = y, m, n or "" (unknown: no config file)
kconfig() {
  KVAL=
  for c in "/boot/config-$KREL" /proc/config.gz; do
    [ -r "$c" ] || continue
    case $c in *.gz) l=$(gzip -dc "$c" 2>/dev/null | grep -E "^(# )?CONFIG_$1[= ]") ;; *) l=$(grep -E "^(# )?CONFIG_$1[= ]" "$c") ;; esac
    case $l in *=y) KVAL=y ;; *=m) KVAL=m ;; *'is not set'* | '') KVAL=n ;; esac
    return 0
  done
}

# ---- test_hmm --------------------------------------------------------------------
hmm_part() {
  if ! pf_is_root; then
    pf_skip not_root part=test_hmm
    return
  fi
  loaded=
  [ -d /sys/module/test_hmm ] && loaded=1
  modfile=
  if [ -z "$loaded" ]; then
    if [ -d "$MODDIR" ]; then
      modfile=$(find "$MODDIR" -name 'test_hmm.ko*' 2>/dev/null | head -n 1)
    fi
    if [ -z "$modfile" ]; then
      kconfig TEST_HMM
      t=$KVAL
      kconfig DEVICE_PRIVATE
      dp=$KVAL
      if [ ! -d "$MODDIR" ]; then
        detail=no_modules_dir
      elif [ "$t" = n ] || [ "$dp" = n ]; then
        detail=CONFIG_TEST_HMM:${t:-unknown}/CONFIG_DEVICE_PRIVATE:${dp:-unknown}
      else
        detail=not_in_modules_dir
      fi
      pf_v "$detail"
      pf_skip module_missing part=test_hmm module=test_hmm "detail=$PF_V"
      return
    fi
  fi
  if command -v modprobe >/dev/null 2>&1 && [ -d "$MODDIR" ]; then
    load="modprobe test_hmm"
    unload="modprobe -r test_hmm"
  else
    load="insmod $modfile"
    unload="rmmod test_hmm"
  fi
  if [ -n "$loaded" ]; then
    timed $unload
    if [ $RC != 0 ]; then
      pf_errno "$PF_TMP/cmd.err"
      pf_skip module_busy part=test_hmm "errno=${PF_ERRNO:-EUNKNOWN}"
      return
    fi
  fi
  ran=1
  i=0
  while [ "$i" -lt "$ITER" ]; do
    timed /bin/true
    pf_emit sample metric=exec_baseline "value=$NS" unit=ns part=test_hmm "iter=$i"
    timed $load
    if [ $RC != 0 ]; then
      pf_errno "$PF_TMP/cmd.err"
      pf_emit count metric=hmm_load_error value=1 unit=count "errno=${PF_ERRNO:-EUNKNOWN}" "iter=$i"
      i=$((i + 1))
      continue
    fi
    pf_emit sample metric=hmm_load "value=$NS" unit=ns "iter=$i"
    timed $unload
    if [ $RC != 0 ]; then
      pf_errno "$PF_TMP/cmd.err"
      pf_emit count metric=hmm_unload_error value=1 unit=count "errno=${PF_ERRNO:-EUNKNOWN}" "iter=$i"
      break
    fi
    pf_emit sample metric=hmm_unload "value=$NS" unit=ns "iter=$i"
    i=$((i + 1))
  done
  [ -n "$loaded" ] && [ ! -d /sys/module/test_hmm ] && $load >/dev/null 2>&1
}

# ---- dax/kmem ---------------------------------------------------------------------
dax_part() {
  DAXSYS=${PFNLAB_DAX_SYSFS:-/sys/bus/dax/devices}
  dev=
  mode=
  for d in "$DAXSYS"/dax*.*; do
    [ -e "$d" ] || continue
    drv=
    [ -L "$d/driver" ] && drv=$(readlink "$d/driver") && drv=${drv##*/}
    case $drv in
      device_dax) dev=${d##*/} mode=devdax ;;
      kmem) [ -z "$dev" ] && dev=${d##*/} mode=system-ram ;;
    esac
    [ "$mode" = devdax ] && break
  done
  if [ -z "$dev" ]; then
    pf_skip no_devdax_namespace part=dax_kmem
    return
  fi
  if ! command -v daxctl >/dev/null 2>&1; then
    pf_skip tool_missing part=dax_kmem tool=daxctl "device=$dev"
    return
  fi
  if ! pf_is_root; then
    pf_skip not_root part=dax_kmem
    return
  fi
  ran=1
  pf_emit info part=dax_kmem "device=$dev" "initial_mode=$mode"
  if [ "$mode" = system-ram ]; then
    timed daxctl reconfigure-device --mode=devdax --force "$dev"
    [ $RC = 0 ] || { pf_errno "$PF_TMP/cmd.err"; pf_emit count metric=dax_to_devdax_error value=1 unit=count "errno=${PF_ERRNO:-EUNKNOWN}" iter=init; return; }
  fi
  i=0
  while [ "$i" -lt "$ITER" ]; do
    timed /bin/true
    pf_emit sample metric=exec_baseline "value=$NS" unit=ns part=dax_kmem "iter=$i"
    timed daxctl reconfigure-device --mode=system-ram "$dev"
    if [ $RC != 0 ]; then
      pf_errno "$PF_TMP/cmd.err"
      pf_emit count metric=dax_to_system_ram_error value=1 unit=count "errno=${PF_ERRNO:-EUNKNOWN}" "iter=$i"
      break
    fi
    pf_emit sample metric=dax_to_system_ram "value=$NS" unit=ns "device=$dev" "iter=$i"
    timed daxctl reconfigure-device --mode=devdax --force "$dev"
    if [ $RC != 0 ]; then
      pf_errno "$PF_TMP/cmd.err"
      pf_emit count metric=dax_to_devdax_error value=1 unit=count "errno=${PF_ERRNO:-EUNKNOWN}" "iter=$i"
      break
    fi
    pf_emit sample metric=dax_to_devdax "value=$NS" unit=ns "device=$dev" "iter=$i"
    i=$((i + 1))
  done
  [ "$mode" = system-ram ] && daxctl reconfigure-device --mode=system-ram "$dev" >/dev/null 2>&1
}

hmm_part
dax_part
if [ $ran = 1 ]; then
  pf_end ok
else
  pf_end skip reason=no_zone_device_path
fi
exit 0
