#!/bin/bash
# Installs the host packages the virtual lab needs (Debian 12). Idempotent:
# only missing packages are installed, `apt-get update` runs at most once.
# Usage: deploy/vlab/install-host-deps.sh [--check]   (--check: list what is missing, exit 1 if anything is)
set -euo pipefail
PKGS=(
  qemu-system-x86 qemu-system-arm qemu-system-misc qemu-system-ppc   # the four machines
  ipmitool openipmi                                                  # BMCs (ipmi_sim) and the client
  busybox-static cpio                                                # initramfs tooling
  grub-pc-bin grub-common fdisk e2fsprogs                            # boot disks (GRUB images, sfdisk, mke2fs -d); nothing is installed on the host's own disk
  ser2net conserver-server conserver-client                          # real console servers
  python3-sushy                                                      # independent Redfish client (tests)
  openssl openssh-client                                             # TLS certs, ssh-keygen, ssh client
  ca-certificates
)
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "vlab host dependencies: all ${#PKGS[@]} packages present"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "vlab host dependencies missing: ${missing[*]}"
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "vlab: installing ${missing[*]}"
$SUDO apt-get update -qq
# conserver-server asks nothing, but keep any debconf prompt from blocking CI.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts the packaged daemons; the vlab runs its own instances on loopback ports.
for svc in ser2net conserver-server; do
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done
echo "vlab host dependencies installed"
