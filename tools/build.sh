#!/usr/bin/env bash
# Configures (once) and builds Tidewatch in _build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f _build/build.ninja ]; then
  meson setup _build --buildtype=debugoptimized
fi
ninja -C _build
