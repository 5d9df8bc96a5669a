"""Ward scope and emergency access end to end with twctl (issue 6): the
real feed fills an encrypted store (ICU, Ward 7 and Ward 8); a clinician
without wards sees no patients; the administrator assigns wards with
`twctl wards`; the clinician then sees exactly those wards' patients, is
refused another ward's patient with a pointer to emergency access, opens
it with `twctl break-glass open` (a reason is required), sees that one
patient and no other, and closes it again; the administrator lists the
grant for review (by pseudonym), reviews it once, and finds the opening,
the review and the closing in the audit trail."""
import datetime
import json

from twtest import Feed, Store, check, finish

PATIENTS = 20      # 8 on the ICU, 8 on Ward 7, 4 on Ward 8 (the feed's layout)
REASON = "Covering Ward 8 during the arrest call"

store = Store()
for name in ("clara", "kim"):
    r = store.twctl("user", "add", name, "--role", "clinician",
                    extra=["--new-password-file", store.pwfile])
    check(r.returncode == 0, f"clinician {name} added ({r.stderr.strip()})")

start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)) \
    .strftime("%Y-%m-%dT%H:%M:%SZ")
feed = Feed("--patients", str(PATIENTS), "--rate", "1", "--count", str(2 * PATIENTS),
            "--seed", "3", "--start", start).start()
try:
    ingest = store.ingest(feed.url)
    out, err = ingest.communicate(timeout=120)
finally:
    feed.kill()
check(ingest.returncode == 0, f"the feed's {PATIENTS} patients are stored ({err.strip()[-200:]})")


def as_clara(*args):
    return store.twctl(*args, user="clara")


def patients(user="clara"):
    r = store.twctl("patients", "--json", user=user)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return {p["id"]: p for p in json.loads(r.stdout)}


def wards_of(location):
    return location.rsplit("-", 1)[0]


everyone = patients(user=store.clinician())   # a clinician on every ward
by_ward = {}
for key, p in everyone.items():
    by_ward.setdefault(wards_of(p["location"]), set()).add(key)
check(len(everyone) == PATIENTS and set(by_ward) == {"ICU", "Ward 7", "Ward 8"},
      f"a clinician on every ward sees all {PATIENTS} patients on ICU, Ward 7 and Ward 8 "
      f"({ {w: len(k) for w, k in by_ward.items()} })")
ward8 = sorted(by_ward.get("Ward 8", []))
outsider, other_outsider = ward8[0], ward8[1]
bed = everyone[outsider]["location"]

# No wards: no patients, and the clinician is told so.
r = as_clara("wards", "clara")
check(r.returncode == 0 and "no wards" in r.stdout, f"clara reads her own wards: {r.stdout.strip()}")
check(patients() == {}, "a clinician without wards sees no patients")

# Only administrators assign wards.
r = as_clara("wards", "clara", "--all")
check(r.returncode == 1 and "not allowed" in r.stderr,
      f"a clinician cannot assign herself wards ({r.stderr.strip()})")
r = store.twctl("wards", "clara", "ICU", "Ward 7")
check(r.returncode == 0 and "clara: ICU, Ward 7" in r.stdout,
      f"the administrator assigns ICU and Ward 7 ({r.stdout.strip()} {r.stderr.strip()})")
r = store.twctl("wards", "kim", "Ward 99")
check(r.returncode == 0 and "no admitted patient is on “Ward 99”" in r.stderr,
      f"a ward nobody is on is accepted with a note ({r.stderr.strip()})")
store.assign_wards("kim", "--none")

seen = patients()
check(set(seen) == by_ward["ICU"] | by_ward["Ward 7"],
      f"clara sees exactly the ICU's and Ward 7's patients ({sorted(seen)})")
check(all(p["name"] and p["mrn"] for p in seen.values()), "with their names and MRNs")

# Another ward's patient: refused, pointing at emergency access.
r = as_clara("patients", outsider)
check(r.returncode == 1 and "not on your wards" in r.stderr and "Emergency Access" in r.stderr,
      f"{outsider}'s record is refused ({r.stderr.strip()})")
r = as_clara("break-glass", "open", outsider, "--reason", "   urgent  ")
check(r.returncode == 1 and "at least 10 characters" in r.stderr,
      f"emergency access needs a reason ({r.stderr.strip()})")
r = as_clara("break-glass", "open", outsider)
check(r.returncode == 2, "and refuses to run without --reason")
r = store.twctl("break-glass", "open", outsider, "--reason", REASON)
check(r.returncode == 1 and "not allowed" in r.stderr,
      f"administrators have no emergency access to records ({r.stderr.strip()})")

# Emergency access by bed: exactly that patient.
r = as_clara("break-glass", "open", bed, "--reason", REASON)
check(r.returncode == 0 and "Emergency access 1 " in r.stdout and "review" in r.stdout,
      f"clara opens {bed} with a reason ({r.stdout.strip()} {r.stderr.strip()})")
seen = patients()
check(outsider in seen and other_outsider not in seen
      and set(seen) == by_ward["ICU"] | by_ward["Ward 7"] | {outsider},
      f"clara now sees {outsider} too, and no other Ward 8 patient ({sorted(seen)})")
r = as_clara("patients", outsider, "--json")
check(r.returncode == 0 and json.loads(r.stdout).get("mrn") == everyone[outsider]["mrn"],
      f"and reads {outsider}'s record ({r.stderr.strip()})")
r = as_clara("patients", other_outsider)
check(r.returncode == 1 and "Emergency Access" in r.stderr,
      f"{other_outsider} stays closed ({r.stderr.strip()})")
check(patients(user="kim") == {}, "kim (no wards) does not share clara's access")

r = as_clara("break-glass", "list", "--json")
own = json.loads(r.stdout) if r.returncode == 0 else []
check(len(own) == 1 and own[0]["patient"] == outsider and own[0]["open"]
      and own[0]["reason"] == REASON and own[0]["ward"] == "Ward 8",
      f"clara lists her open access by the patient's key ({own})")
r = store.twctl("break-glass", "list", user="kim")
check(r.returncode == 0 and "No emergency access." in r.stdout, "kim has none")

# The administrator's review: by pseudonym, once, audited.
r = store.twctl("break-glass", "list", "--unreviewed", "--json")
review = json.loads(r.stdout) if r.returncode == 0 else []
check(len(review) == 1 and review[0]["user"] == "clara" and review[0]["patient"].startswith("S-")
      and review[0]["reason"] == REASON and review[0]["reviewed_by"] is None,
      f"the administrator lists it for review, the patient by pseudonym ({review})")
pseudonym = review[0]["patient"] if review else None
grant = str(review[0]["id"]) if review else "1"
r = as_clara("break-glass", "review", grant, "--note", "fine")
check(r.returncode == 1, f"a clinician cannot review ({r.stderr.strip()})")
r = store.twctl("break-glass", "review", grant, "--note", "Arrest call confirmed with the rota")
check(r.returncode == 0 and "reviewed" in r.stdout, f"the administrator reviews it ({r.stderr.strip()})")
r = store.twctl("break-glass", "review", grant)
check(r.returncode == 1 and "reviewed already" in r.stderr, f"once ({r.stderr.strip()})")
r = store.twctl("break-glass", "list", "--unreviewed", "--json")
check(r.returncode == 0 and json.loads(r.stdout) == [], "nothing is left to review")
r = store.twctl("break-glass", "list")
check(r.returncode == 0 and "Arrest call confirmed with the rota" in r.stdout
      and "clara" in r.stdout and "ana" in r.stdout,
      f"the table shows who opened it, who reviewed it and the note:\n{r.stdout}")

# Closing ends the access.
r = as_clara("break-glass", "close", grant)
check(r.returncode == 0 and "closed" in r.stdout, f"clara closes it ({r.stderr.strip()})")
check(outsider not in patients(), f"{outsider} is gone from clara's list")
r = as_clara("patients", outsider)
check(r.returncode == 1 and "Emergency Access" in r.stderr, "and the record is refused again")
r = as_clara("break-glass", "close", grant)
check(r.returncode == 1 and "closed already" in r.stderr, f"closing twice is refused ({r.stderr.strip()})")

# The audit trail has the opening (with the reason), the review and the
# closing, each under the patient's pseudonym; and clara's record views.
r = store.twctl("audit", "list", "--json")
if r.returncode == 0:
    rows = json.loads(r.stdout)
    mine = {row["action"]: row for row in rows
            if row["action"].startswith("break-glass") and row["subject"] == pseudonym}
    check(set(mine) == {"break-glass", "break-glass-review", "break-glass-close"}
          and REASON in (mine["break-glass"]["detail"] or "")
          and mine["break-glass"]["actor"] == "clara"
          and mine["break-glass-review"]["actor"] == store.admin,
          f"opening, review and closing are audited under {pseudonym} ({mine})")
    check(any(row["action"] == "record-view" and row["actor"] == "clara"
              and row["subject"] == pseudonym for row in rows),
          "clara's view of the record is audited")
    check(any(row["action"] == "user-wards" and row["subject"] == "clara"
              and row["detail"] == "ICU, Ward 7" for row in rows),
          "the ward assignment is audited")
else:
    check(False, f"twctl audit list works ({r.stderr.strip()})")

# All wards and none.
store.assign_wards("clara", "--all")
check(set(patients()) == set(everyone), "--all: every patient")
r = store.twctl("wards", "clara", "--none")
check(r.returncode == 0 and "no wards" in r.stdout, "--none: no wards")
check(patients() == {}, "and no patients")

finish()
