"""twctl news2, glucose-stats and forecast ar2: the clinical calculators
run without a store or a sign-in, print JSON, and refuse bad input with
a message that names it (usage errors exit 2)."""
import json
import os
import shutil
import subprocess
import tempfile

from twtest import TWCTL, check, finish

NO_STORE = "/nonexistent/tidewatch"


def twctl(*args, tz=None):
    env = dict(os.environ)
    if tz is not None:
        env["TZ"] = tz
    return subprocess.run([TWCTL, "--data-dir", NO_STORE] + list(args),
                          capture_output=True, text=True, timeout=60, env=env)


def as_json(r):
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


# ---- news2 ------------------------------------------------------------------
# rr 22 (2) + SpO2 95 (1) + air (0) + sbp 105 (1) + pulse 95 (1) + alert (0)
# + temp 38.5 (1) = 6: medium, urgent response.
r = twctl("news2", "--rr", "22", "--spo2", "95", "--air", "--sbp", "105", "--pulse", "95",
          "--acvpu", "A", "--temp", "38.5")
d = as_json(r)
check(r.returncode == 0 and d is not None, f"news2 runs without a store and prints JSON ({r.stderr})")
if d:
    check(d["scores"] == {"rr": 2, "spo2": 1, "air_o2": 0, "sbp": 1, "pulse": 1, "acvpu": 0,
                          "temp": 1},
          f"each parameter scored by the chart ({d['scores']})")
    check(d["total"] == 6 and d["max_single"] == 2 and d["complete"] is True and d["missing"] == [],
          "total 6, highest single 2, complete")
    check(d["risk"] == "medium" and "urgent" in d["response"].lower(),
          f"band medium with the urgent response ({d['risk']}: {d['response']})")

# New confusion alone: a single 3 below 5 is low-medium; on oxygen, 5 is medium.
base = ["--rr", "16", "--spo2", "97", "--sbp", "125", "--pulse", "72", "--temp", "36.8"]
d = as_json(twctl("news2", *base, "--air", "--acvpu", "c"))
check(d and d["total"] == 3 and d["max_single"] == 3 and d["risk"] == "low-medium",
      f"new confusion alone: 3, low-medium ({d and (d['total'], d['risk'])})")
d = as_json(twctl("news2", *base, "--o2", "--acvpu", "C"))
check(d and d["scores"]["air_o2"] == 2 and d["total"] == 5 and d["risk"] == "medium",
      "plus oxygen: 5, medium")
r = twctl("news2", *base, "--air", "--acvpu", "A")
d = as_json(r)
check(d and d["total"] == 0 and d["risk"] == "zero", "a well patient scores 0, band zero")
check('"temp" : 36.8' in r.stdout and "36.799" not in r.stdout,
      "numbers are printed as typed (36.8, not 36.799999999999997)")

# Scale 2: 97 % on oxygen is 3 (over-oxygenated), on air 0; scale 1 gives 0.
d2 = as_json(twctl("news2", *base, "--spo2", "97", "--scale2", "--o2", "--acvpu", "A"))
d1 = as_json(twctl("news2", *base, "--spo2", "97", "--o2", "--acvpu", "A"))
da = as_json(twctl("news2", *base, "--spo2", "97", "--scale2", "--air", "--acvpu", "A"))
check(d2 and d1 and da and d2["scores"]["spo2"] == 3 and d2["spo2_scale"] == 2
      and d1["scores"]["spo2"] == 0 and da["scores"]["spo2"] == 0,
      "SpO2 97 %: scale 2 on oxygen 3, scale 1 0, scale 2 on air 0")
check(d2 and d2["total"] == 5 and d2["risk"] == "medium", "scale 2 counts in the total (3 + 2 = 5)")

# Incomplete: never scored as normal.
r = twctl("news2", "--rr", "22", "--spo2", "95", "--sbp", "105")
d = as_json(r)
check(r.returncode == 0 and d and d["complete"] is False and d["risk"] is None
      and d["missing"] == ["air_o2", "pulse", "acvpu", "temp"]
      and d["scores"]["pulse"] is None and d["total"] == 4,
      f"missing parameters: incomplete, named, no band, exit 0 ({d})")
check(d and "Incomplete" in d["response"] and "Temperature" in d["response"],
      "the response text says what to record")

# Usage errors exit 2 and say what is wrong.
r = twctl("news2", *base, "--air", "--o2", "--acvpu", "A")
check(r.returncode == 2 and "--air" in r.stderr and "--o2" in r.stderr and r.stdout == "",
      f"--air with --o2 is a usage error (rc {r.returncode}: {r.stderr.strip()})")
r = twctl("news2", "--rr", "twenty")
check(r.returncode == 2 and "--rr" in r.stderr and "twenty" in r.stderr and "number" in r.stderr,
      f"a bad number names the option and the text (rc {r.returncode}: {r.stderr.strip()})")
r = twctl("news2", "--temp", "98.6")
check(r.returncode == 2 and "--temp" in r.stderr and "°C" in r.stderr,
      f"98.6 °F is not silently scored as a fever in °C ({r.stderr.strip()})")
r = twctl("news2", "--acvpu", "X")
check(r.returncode == 2 and "--acvpu" in r.stderr and "unresponsive" in r.stderr,
      f"an unknown ACVPU letter lists the valid ones ({r.stderr.strip()})")

# ---- glucose-stats ------------------------------------------------------------
tmp = tempfile.mkdtemp(prefix="tw-clinical-cli-")


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# 100, 120, 140, 160, 180: mean 140, SD √1000 = 31.62 (n − 1), CV 22.59 %,
# GMI 3.31 + 0.02392 × 140 = 6.66 %. Three are at 02:30 London time across
# the change to BST on 29 March 2026 (02:30Z GMT, then 01:30Z BST), one an
# epoch-seconds time, one without a zone (local time).
csv = write("five.csv", "time,value\n"
                        "2026-03-28T02:30:00Z,100\n"
                        "2026-03-29T01:30:00Z,120\n"
                        "1774834200,140\n"               # 2026-03-30T01:30:00Z = 02:30 BST
                        "# a comment\n"
                        "\n"
                        "2026-03-30 12:10,160\n"         # local, no seconds
                        "\"2026-03-30T12:40:00+01:00\",180\n")
r = twctl("glucose-stats", csv, tz="Europe/London")
d = as_json(r)
check(r.returncode == 0 and d is not None, f"glucose-stats reads a CSV without a store ({r.stderr})")
if d:
    check(d["n"] == 5 and d["unit"] == "mg/dL", "five readings, mg/dL")
    check(d["ranges_percent"] == {"very_low": 0, "low": 0, "in_range": 100, "high": 0,
                                  "very_high": 0}, f"all in range ({d['ranges_percent']})")
    check(d["mean"] == 140 and d["sd"] == 31.62 and d["cv_percent"] == 22.59,
          f"mean 140, SD 31.62 (n − 1), CV 22.59 % ({d['mean']}, {d['sd']}, {d['cv_percent']})")
    check(d["gmi"]["percent"] == 6.66 and round(d["gmi"]["mmol_mol"]) == 49,
          f"GMI 6.66 % / 49 mmol/mol ({d['gmi']})")
    check(d["lbgi"] >= 0 and d["hbgi"] > d["lbgi"], "LBGI and HBGI present")
    hours = d["agp"]["hours"]
    check(len(hours) == 24 and [h["hour"] for h in hours] == list(range(24)),
          "the AGP has 24 hourly bins")
    check(hours[2]["n"] == 3 and hours[2]["p50"] == 120 and hours[1]["n"] == 0,
          f"02:30 GMT and 02:30 BST share the 02:00 bin (local time, DST-aware) "
          f"({[(h['hour'], h['n']) for h in hours if h['n']]})")
    check(hours[12]["n"] == 2 and hours[12]["p5"] == 161 and hours[12]["p95"] == 179,
          "a zone-less time is local; percentiles interpolate (type 7: 160 + 0.05 × 20 = 161)")
    check(hours[0]["n"] == 0 and hours[0]["p50"] is None, "an empty hour has no percentiles")

# mmol/L: 2.9 very low, 3.0 low, 10.0 in range, 13.9 high, 14.0 very high.
csv = write("mmol.csv", "2026-03-28T08:00:00Z,2.9\n2026-03-28T08:05:00Z,3.0\n"
                        "2026-03-28T08:10:00Z,10.0\n2026-03-28T08:15:00Z,13.9\n"
                        "2026-03-28T08:20:00Z,14.0\n")
d = as_json(twctl("glucose-stats", csv, "--unit", "mmol/L"))
check(d and d["unit"] == "mmol/L" and all(v == 20 for v in d["ranges_percent"].values()),
      f"mmol/L limits 3.0, 3.9, 10.0, 13.9 land as the consensus says ({d and d['ranges_percent']})")
check(d and d["mean"] == 8.76, f"the mean is given in the file's unit ({d and d['mean']})")
r = twctl("glucose-stats", csv)
check(r.returncode != 0 and "mmol.csv:1" in r.stderr and "--unit" in r.stderr,
      f"mmol/L read as mg/dL is refused with a hint ({r.stderr.strip()})")

bad = write("bad.csv", "time,value\n2026-03-28T08:00:00Z,100\n2026-03-28T08:05:00Z,abc\n")
r = twctl("glucose-stats", bad)
check(r.returncode == 1 and "bad.csv:3" in r.stderr and "abc" in r.stderr and r.stdout == "",
      f"a bad line is an error naming the line ({r.stderr.strip()})")
bad = write("badtime.csv", "yesterday,100\n")
r = twctl("glucose-stats", bad)
check(r.returncode == 1 and "badtime.csv:1" in r.stderr and "yesterday" in r.stderr,
      f"a bad time on the first line is an error, not a header ({r.stderr.strip()})")
r = twctl("glucose-stats", csv, "--unit", "mmol")
check(r.returncode == 2 and "mmol/L" in r.stderr, f"an unknown unit is a usage error ({r.stderr.strip()})")
r = twctl("glucose-stats")
check(r.returncode == 2, "no file is a usage error")
r = subprocess.run([TWCTL, "--data-dir", NO_STORE, "glucose-stats", "-"], capture_output=True,
                   text=True, timeout=60, input="1774834200,100\n1774834500,200\n")
d = as_json(r)
check(r.returncode == 0 and d and d["n"] == 2 and d["mean"] == 150 and d["sd"] == 70.71,
      f"- reads standard input ({r.stderr.strip()})")

# ---- forecast ar2 (Nightscout's tests/ar2.test.js pairs) --------------------------------
r = twctl("forecast", "ar2", "150", "170")
d = as_json(r)
check(r.returncode == 0 and d and d["predicted"] == [186, 198, 206, 212, 216, 218]
      and d["minutes"] == [5, 10, 15, 20, 25, 30],
      f"150 → 170: six values, 206 at 15 minutes as in Nightscout ({d and d['predicted']})")
check(d and d["level"] == "warn" and d["event"] == "high" and abs(d["loss"] - 0.0664152) < 1e-6,
      f"… a warning, going high ({d and (d['loss'], d['level'], d['event'])})")
d = as_json(twctl("forecast", "ar2", "120", "85"))
check(d and d["level"] == "urgent" and d["event"] == "low", "120 → 85: urgent, low")
d = as_json(twctl("forecast", "ar2", "100", "105"))
check(d and d["level"] == "none" and d["event"] == "none", "100 → 105: no alarm")
r = twctl("forecast", "ar2", "abc", "105")
check(r.returncode == 2 and "abc" in r.stderr, f"a bad value is a usage error ({r.stderr.strip()})")
r = twctl("forecast", "ar3", "100", "105")
check(r.returncode == 2 and "ar2" in r.stderr, "an unknown model is a usage error naming ar2")
r = twctl("forecast", "ar2", "30", "105")
check(r.returncode == 1 and "36" in r.stderr, "below 36 mg/dL there is no forecast, as in Nightscout")

shutil.rmtree(tmp)
finish()
