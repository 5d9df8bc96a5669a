#!/usr/bin/env bash
# Installs the Debian 12 packages Tidewatch needs to build, run and test.
# Idempotent: it only calls apt-get when something is missing.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build gettext
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev
  libsqlcipher-dev sqlcipher sqlite3 libsoup-3.0-dev libjson-glib-dev libsodium-dev
  libmosquitto-dev mosquitto mosquitto-clients
  desktop-file-utils appstream flatpak-builder
  xvfb xauth dbus imagemagick poppler-utils
  fonts-cantarell fonts-dejavu-core
  python3 python3-hl7 openssl
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "tidewatch: all ${#packages[@]} build and test packages are installed."
  exit 0
fi

echo "tidewatch: installing ${#missing[@]} missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "tidewatch: run this as root (or install sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
