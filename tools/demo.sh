#!/usr/bin/env bash
# Installs what is missing, builds, starts the bundled bedside-monitor
# simulator on a free loopback port, creates a fresh demo store with a new
# administrator password, and opens Tidewatch on the live stream.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh
bash tools/build.sh

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat >&2 <<MSG

tidewatch: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).
  On a machine without a screen, run the demo inside a virtual one:
    xvfb-run -a -s "-screen 0 1280x800x24" bash tools/demo.sh
  (and take a screenshot with: import -window root shot.png)
MSG
  exit 1
fi

demo_dir="${TIDEWATCH_DEMO_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/tidewatch-demo}"
work=$(mktemp -d)
feed_pid=
cleanup() {
  [ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A new demo store each time, with a password nobody has seen before.
rm -rf "$demo_dir"
new_password() { head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-20; }
password=$(new_password)
clinician_password=$(new_password)
umask 077
printf '%s\n' "$password" > "$work/pw"
printf '%s\n' "$clinician_password" > "$work/pw-clinician"
_build/src/cli/twctl --data-dir "$demo_dir" --new-password-file "$work/pw" init --admin admin >/dev/null
# Admins run the system; clinicians see patients, trends and alerts.
_build/src/cli/twctl --data-dir "$demo_dir" -u admin --password-file "$work/pw" \
  --new-password-file "$work/pw-clinician" user add clara --role clinician >/dev/null
# Clinicians see the patients of their wards: clara works on two of the
# feed's three; the third is reached through Emergency Access (audited,
# reviewed by the admin on the Audit page).
clara_wards=("ICU" "Ward 7")
# The store is still empty, so twctl notes that no patient is on these
# wards yet: true, and not worth a line in the demo's greeting.
_build/src/cli/twctl --data-dir "$demo_dir" -u admin --password-file "$work/pw" \
  wards clara "${clara_wards[@]}" >/dev/null 2>"$work/wards.log" || { cat "$work/wards.log" >&2; exit 1; }
rm -f "$work/pw" "$work/pw-clinician"

# Half an hour of history is served at once, then the stream runs live.
start=$(date -u -d '30 minutes ago' +%Y-%m-%dT%H:%M:%SZ)
# 24 patients: 8 on the ICU, 8 on Ward 7, 8 on Ward 8.
_build/src/feed/tidewatch-feed --port 0 --patients 24 --rate 1 --seed "$RANDOM" \
  --start "$start" > "$work/feed.out" 2> "$work/feed.log" &
feed_pid=$!
for _ in $(seq 50); do
  grep -q '^listening on' "$work/feed.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on \(ws:[^ ]*\).*/\1/p' "$work/feed.out")
if [ -z "$url" ]; then
  echo "tidewatch: the demo feed did not start:" >&2
  cat "$work/feed.log" >&2
  exit 1
fi

cat <<MSG

  Tidewatch demo
  ──────────────
  Stream:    $url  (simulated bedside monitors, 24 patients on ICU, Ward 7, Ward 8)
  Store:     $demo_dir  (encrypted; replaced on every demo run)
  Sign in as
    user:     clara      (clinician on ${clara_wards[0]} and ${clara_wards[1]}: their patients, trends,
                          the alert console — Ctrl+4; Ward 8 through Emergency Access — Ctrl+Shift+E)
    password: $clinician_password
  or as
    user:     admin      (administrator: sources, quarantine, alert rules — Ctrl+5; users,
                          wards, the audit trail and emergency-access review)
    password: $password

MSG

GSETTINGS_SCHEMA_DIR="$PWD/_build/data" _build/src/app/tidewatch --data-dir "$demo_dir" --connect "$url"
