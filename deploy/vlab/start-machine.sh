#!/bin/bash
# Powers on one vlab machine: the "chassis" of the machine is this process.
# Started by ipmi_sim (startcmd, on `chassis power on`) or by the HMC
# emulator (LPAR activate/load). Power state == this process is alive.
#
# usage: start-machine.sh MACHINE_DIR
#
# One-shot boot staging (the contract the agent's netboot method relies on):
#   MACHINE_DIR/boot/next/{kernel, initrd (optional), cmdline}
# If boot/next/kernel exists at power-on (or at a guest reboot), it is booted
# ONCE: the directory is moved to boot/last/ first, so the following power
# cycle or reboot boots the known-good kernel+initramfs again
# (MACHINE_DIR/default/{kernel,initrd,cmdline}).
# Kernel command-line markers understood here:
#   vlab.hang_early  QEMU starts with its CPUs stopped: no byte of output, ever
#                    (a kernel that hangs before its first line).
# The known-good /init understands `vlab.panic` (a real panic via sysrq-c).
set -u
D=${1:?usage: start-machine.sh MACHINE_DIR}
cd "$D" || exit 1
mapfile -d '' -t QEMU < "$D/qemu.argv"
relay=
log() { echo "$(date '+%Y-%m-%dT%H:%M:%S.%N') $*" >> "$D/power.log"; }
fault() { cat "$D/fault" 2>/dev/null || echo none; }
child=
off() {
  if [ "$(fault)" = no-poweroff ]; then
    log "power-off request ignored (fault no-poweroff)"
    return
  fi
  log "power off (signal)"
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
  [ -n "$relay" ] && kill -TERM "$relay" 2>/dev/null
  rm -f "$D/qemu.pid"
  exit 0
}
trap off TERM INT HUP
log "power on (pid $$)"
printf '\n[vlab: power on]\n' >> "$D/console.log"
# Fault console-drop: the console consumer talks to a relay that loses bytes.
if [ "$(fault)" = console-drop ] && [ -f "$D/relay.argv" ]; then
  mapfile -d '' -t QEMU < "$D/qemu-drop.argv"
  mapfile -d '' -t RELAY < "$D/relay.argv"
  setpriv --pdeathsig KILL -- "${RELAY[@]}" >> "$D/relay.log" 2>&1 &
  relay=$!
  log "fault console-drop: console through a lossy relay (pid $relay)"
fi
while true; do
  if [ -f "$D/boot/next/kernel" ]; then
    rm -rf "$D/boot/last"
    mv "$D/boot/next" "$D/boot/last"
    K="$D/boot/last/kernel"; I="$D/boot/last/initrd"; C=$(cat "$D/boot/last/cmdline" 2>/dev/null)
    log "booting staged kernel once (boot/next -> boot/last): $C"
  elif [ -f "$D/default/boot-from-disk" ]; then
    K=; I=; C=
    log "booting from disk (firmware -> grub: known-good entry, or a grub-reboot one-shot entry)"
  else
    K="$D/default/kernel"; I="$D/default/initrd"; C=$(cat "$D/default/cmdline")
    log "booting known-good kernel"
  fi
  EXTRA=()
  [ -n "$K" ] && EXTRA+=(-kernel "$K" -append "$C")
  [ -n "$I" ] && [ -f "$I" ] && EXTRA+=(-initrd "$I")
  case " $C " in *" vlab.hang_early "*) EXTRA+=(-S); log "vlab.hang_early: CPUs stopped";; esac
  # setpriv: QEMU dies with this script even if it is SIGKILLed.
  setpriv --pdeathsig KILL -- "${QEMU[@]}" "${EXTRA[@]}" >> "$D/qemu.log" 2>&1 &
  child=$!
  echo "$child" > "$D/qemu.pid"
  while true; do
    wait "$child"; rc=$?
    kill -0 "$child" 2>/dev/null || break
  done
  child=
  rm -f "$D/qemu.pid"
  if tail -c 4096 "$D/console.log" 2>/dev/null | grep -q 'reboot: Power down'; then
    log "guest powered off"; [ -n "$relay" ] && kill -TERM "$relay" 2>/dev/null; exit 0
  fi
  if [ "$rc" -ne 0 ]; then
    log "qemu exited with $rc (see qemu.log); chassis off"; [ -n "$relay" ] && kill -TERM "$relay" 2>/dev/null; exit "$rc"
  fi
  log "guest reset (qemu -no-reboot exit): booting again"
  # The console log of the new boot starts after this mark.
  printf '\n[vlab: reset]\n' >> "$D/console.log"
done
