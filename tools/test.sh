#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit,
# integration with real peers on loopback, UI under Xvfb, data validation).
# Ends with a line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh || exit 1
bash tools/build.sh || exit 1

rm -f _build/meson-logs/testlog.json
# UI tests need a display and a session bus; Xvfb and dbus-run-session give
# both, also on a machine without a screen.
xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- meson test -C _build --print-errorlogs --num-processes 2 "$@"
status=$?

python3 - <<'PY'
import json, sys
passed = failed = skipped = 0
try:
    with open("_build/meson-logs/testlog.json") as f:
        for line in f:
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
except FileNotFoundError:
    failed = 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
