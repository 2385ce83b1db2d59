#!/usr/bin/env bash
# Turns Debian's linux-source-6.1 tarball into a local git repository that
# pfnlab can use as a kernel tree without network: one commit, tag
# v6.1-debian. Idempotent: a finished repository is left as it is.
# Usage: prepare-kernel-tree.sh [DIR]   (default ~/.cache/pfnlab/ksrc/linux-6.1.git)
set -euo pipefail
DIR=${1:-${HOME}/.cache/pfnlab/ksrc/linux-6.1.git}
TARBALL=${PFNLAB_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
TAG=v6.1-debian

if git -C "$DIR" rev-parse -q --verify "refs/tags/$TAG" >/dev/null 2>&1; then
  echo "$DIR"
  exit 0
fi
[ -f "$TARBALL" ] || { echo "prepare-kernel-tree: $TARBALL is missing (apt-get install linux-source-6.1)" >&2; exit 1; }

# Build in a scratch directory next to DIR and rename at the end, so an
# interrupted run never leaves a half-made repository that looks finished.
parent=$(dirname "$DIR")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.prepare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "prepare-kernel-tree: extracting $TARBALL" >&2
tar -xJf "$TARBALL" -C "$tmp" --strip-components=1
cd "$tmp"
git init -q
git config user.name "pfnlab"
git config user.email "pfnlab@localhost"
git config gc.auto 0
echo "prepare-kernel-tree: committing the tree" >&2
git add -A -f .
git commit -q -m "Linux 6.1 (Debian linux-source-6.1)"
git tag "$TAG"
cd /
rm -rf "$DIR"
mv "$tmp" "$DIR"
trap - EXIT
echo "$DIR"
