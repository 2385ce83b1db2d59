#!/bin/busybox sh
# /init of the vlab initramfs (the machines' "known-good OS").
# Installed verbatim by apps/vlab/src/image-builder.ts; changing this file
# changes the image input hash, so the next `pfnlab vlab up` rebuilds.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run /tmp /var/log /var/run
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
param() { sed -n "s/.*[ ]$1=\([A-Za-z0-9._,-]*\).*/\1/p" /proc/cmdline; }
# Fault injection: user space never says a word (with loglevel=0, a boot that goes
# silent right after the kernel's first lines: a hang after handover).
grep -q 'vlab.silent' /proc/cmdline && exec /bin/busybox sleep 2147483647 >/dev/null 2>&1
# Pin output to the console the vlab watches (SOL / HMC), whatever /dev/console is.
CON=$(param vlab.console); CON2=$(param vlab.console2)
[ -n "$CON" ] && [ -c "/dev/$CON" ] && exec </dev/$CON >/dev/$CON 2>&1
echo "VLAB-MARKER init reached: $(uname -m) $(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"
hostname "$(param vlab.name)"
# Fault injection: a real kernel panic before the ready marker.
grep -q 'vlab.panic' /proc/cmdline && echo c > /proc/sysrq-trigger
# Modules in dependency order (no modules.dep in the image; see /mod/order).
for m in $(cat /mod/order 2>/dev/null); do insmod /mod/$m.ko 2>/dev/null; done
# The boot disk, where the machine has one (grub on x86-01, a zipl target on the LPAR): /boot, as on a Debian server.
if [ -e /sys/block/vda ]; then
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda1 ] && break; sleep 0.3; done
  # Power cycles hit it mounted, as on real servers: check it first, and write through (sync) so a cut loses little.
  e2fsck -y /dev/vda1 >/dev/null 2>&1; echo "vlab: e2fsck /dev/vda1: exit $?"
  mkdir -p /boot && mount -o sync /dev/vda1 /boot && echo "vlab: /boot on vda1"
fi
# QEMU user-mode networking: guest 10.0.2.15, gateway 10.0.2.2.
ip link set lo up
for n in eth0 enc1 enP1p0s0; do
  if ip link show "$n" >/dev/null 2>&1; then
    ip link set "$n" up && ip addr add 10.0.2.15/24 dev "$n" && ip route add default via 10.0.2.2 && echo "vlab: network on $n"
    break
  fi
done
ip -o link 2>/dev/null | grep -v ' lo:' | head -3
# SSH server (dropbear), root login with the vlab's key only.
chmod 700 /root /root/.ssh; chmod 600 /root/.ssh/authorized_keys
mkdir -p /etc/dropbear
if /usr/sbin/dropbear -R -s -p 22 -P /run/dropbear.pid; then echo "vlab: sshd started"; else echo "vlab: sshd FAILED"; fi
echo "memory blocks: $(ls /sys/devices/system/memory/ | grep -c memory) block_size_bytes=$(cat /sys/devices/system/memory/block_size_bytes 2>/dev/null)"
grep MemTotal /proc/meminfo
echo "VLAB-READY"
# A shell on the second UART too (behind ser2net/conserver), then on the primary.
if [ -n "$CON2" ]; then
  (while true; do setsid sh -c "exec sh -i </dev/$CON2 >/dev/$CON2 2>&1"; sleep 1; done) &
fi
if [ -n "$CON" ] && [ -c "/dev/$CON" ]; then
  while true; do setsid sh -c "exec sh -i </dev/$CON >/dev/$CON 2>&1"; done
fi
while true; do setsid cttyhack sh; done
