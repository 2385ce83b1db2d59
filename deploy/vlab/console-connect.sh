#!/bin/bash
# conserver `exec` console of a vlab machine: stays connected to the QEMU
# socket of its second UART and reconnects after every power cycle (QEMU
# restarts), so conserver never sees the console go down.
# usage: console-connect.sh PORT
PORT=${1:?usage: console-connect.sh PORT}
case "$PORT" in *[!0-9]*) exit 2;; esac
# Ends with its conserver: `vlab down` stops conserver, and a loop left
# behind (re-parented to init) would keep reconnecting forever.
PARENT=$PPID
while kill -0 "$PARENT" 2>/dev/null; do
  busybox nc 127.0.0.1 "$PORT" 2>/dev/null
  sleep 0.5
done
