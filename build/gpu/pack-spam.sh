#!/usr/bin/env bash
# Packs the SpamAssassin corpus's .txt messages (not the .json copies) as .gpu/spam.tar.xz (about 5 MB)
# for build/gpu/run-spam.sh. Usage: build/gpu/pack-spam.sh [corpus 'package' folder]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PKG="${1:-$ROOT/samples/data/spam-assassin/package}"
mkdir -p "$ROOT/.gpu"
tar -C "$(dirname "$PKG")" --exclude='*.json' -cJf "$ROOT/.gpu/spam.tar.xz" \
  "$(basename "$PKG")"/data/easy-ham-1 "$(basename "$PKG")"/data/easy-ham-2 "$(basename "$PKG")"/data/hard-ham-1 \
  "$(basename "$PKG")"/data/spam-1 "$(basename "$PKG")"/data/spam-2
ls -l "$ROOT/.gpu/spam.tar.xz"
