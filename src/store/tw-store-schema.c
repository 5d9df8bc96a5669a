#include "tw-error.h"
#include "tw-store-private.h"

/* Numbered migrations: index i upgrades user_version i to i + 1. Append
 * only — a released migration is never edited. SQL must run on SQLite 3.15
 * (SQLCipher 3.4) and on SQLCipher 4: no window functions, no UPSERT. */
static const char *migrations[] = {
  /* 1: the skeleton */
  "CREATE TABLE users ("
  "  name TEXT PRIMARY KEY NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('admin','clinician','operator','analyst')),"
  "  created_at INTEGER NOT NULL,"
  "  disabled INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE sources ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  url TEXT NOT NULL,"
  "  enabled INTEGER NOT NULL DEFAULT 1,"
  "  created_at INTEGER NOT NULL,"
  "  cursor_seq INTEGER NOT NULL DEFAULT -1,"
  "  cursor_updated_at INTEGER,"
  "  received INTEGER NOT NULL DEFAULT 0,"
  "  stored INTEGER NOT NULL DEFAULT 0,"
  "  duplicates INTEGER NOT NULL DEFAULT 0,"
  "  quarantined INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE entities ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL,"
  "  key TEXT NOT NULL UNIQUE,"
  "  name TEXT,"
  "  mrn TEXT,"
  "  location TEXT,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE series ("
  "  id INTEGER PRIMARY KEY,"
  "  entity_id INTEGER NOT NULL REFERENCES entities (id),"
  "  metric TEXT NOT NULL,"
  "  UNIQUE (entity_id, metric)"
  ");"
  "CREATE TABLE samples ("
  "  series_id INTEGER NOT NULL,"
  "  ts INTEGER NOT NULL,"
  "  value REAL NOT NULL,"
  "  PRIMARY KEY (series_id, ts)"
  ") WITHOUT ROWID;"
  /* resolution in seconds; the skeleton maintains 60 s, the engine issue
   * adds 1 s and 1 h. first/last keep their times so out-of-order samples
   * merge correctly. */
  "CREATE TABLE rollups ("
  "  series_id INTEGER NOT NULL,"
  "  resolution INTEGER NOT NULL,"
  "  bucket INTEGER NOT NULL,"
  "  n INTEGER NOT NULL,"
  "  sum REAL NOT NULL,"
  "  min REAL NOT NULL,"
  "  max REAL NOT NULL,"
  "  first REAL NOT NULL,"
  "  first_ts INTEGER NOT NULL,"
  "  last REAL NOT NULL,"
  "  last_ts INTEGER NOT NULL,"
  "  PRIMARY KEY (series_id, resolution, bucket)"
  ") WITHOUT ROWID;"
  "CREATE TABLE quarantine ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources (id),"
  "  received_at INTEGER NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  raw BLOB NOT NULL"
  ");",

  /* 2: source health, so `twctl stats` shows what the app shows */
  "ALTER TABLE sources ADD COLUMN reconnects INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE sources ADD COLUMN lag_us INTEGER;"
  "ALTER TABLE sources ADD COLUMN last_error TEXT;"
  "ALTER TABLE sources ADD COLUMN last_error_at INTEGER;"
  "CREATE INDEX quarantine_by_source ON quarantine (source_id, received_at);",

  /* 3: rules, alerts and their transitions (issue 4). Times are wall µs.
   * An alert row holds the latest state (closed alerts stay, for the
   * history); every transition is a row of its own. The entity's group
   * (ward, customer tier, portfolio) scopes rules and filters the console. */
  "CREATE TABLE rules ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  pack TEXT,"
  "  json TEXT NOT NULL,"
  "  enabled INTEGER NOT NULL DEFAULT 1,"
  "  updated_at INTEGER NOT NULL,"
  "  updated_by TEXT"
  ");"
  "CREATE TABLE alerts ("
  "  id INTEGER PRIMARY KEY,"
  "  rule_id TEXT NOT NULL,"
  "  entity_key TEXT NOT NULL,"
  "  priority TEXT NOT NULL CHECK (priority IN ('low','medium','high')),"
  "  latching INTEGER NOT NULL DEFAULT 0,"
  "  state TEXT NOT NULL"
  "    CHECK (state IN ('active','acknowledged','cleared','closed')),"
  "  condition_active INTEGER NOT NULL DEFAULT 0,"
  "  occurrences INTEGER NOT NULL DEFAULT 1,"
  "  message TEXT,"
  "  raised_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  condition_ended_at INTEGER,"
  "  acknowledged_by TEXT,"
  "  ack_note TEXT,"
  "  acknowledged_at INTEGER,"
  "  escalated INTEGER NOT NULL DEFAULT 0,"
  "  escalated_at INTEGER,"
  "  evidence_from_ts INTEGER,"
  "  evidence_to_ts INTEGER,"
  "  source_id INTEGER,"
  "  grp TEXT,"
  "  category TEXT NOT NULL DEFAULT 'physiological'"
  ");"
  "CREATE INDEX alerts_by_state ON alerts (state);"
  "CREATE INDEX alerts_by_raised ON alerts (raised_at);"
  "CREATE INDEX alerts_by_entity ON alerts (entity_key, raised_at);"
  "CREATE TABLE alert_transitions ("
  "  id INTEGER PRIMARY KEY,"
  "  alert_id INTEGER NOT NULL,"
  "  from_state TEXT NOT NULL,"
  "  to_state TEXT NOT NULL,"
  "  who TEXT,"
  "  at INTEGER NOT NULL,"
  "  note TEXT"
  ");"
  "CREATE INDEX alert_transitions_by_alert ON alert_transitions (alert_id, id);"
  "CREATE INDEX alert_transitions_by_time ON alert_transitions (at);"
  /* One-time facts about the store ("rules_seeded"). */
  "CREATE TABLE store_meta ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT"
  ");"
  "ALTER TABLE entities ADD COLUMN grp TEXT;"
  "ALTER TABLE sources ADD COLUMN too_late INTEGER NOT NULL DEFAULT 0;",

  /* 4: the clinical record (issue 5). Demographics beside the entity's
   * name and MRN; encounters are rebuilt from the admission, transfer and
   * discharge rows of clinical_records, which keep them in the timeline
   * (ward in code, bed in detail). Pseudonyms give analysts stable ids
   * (tw-store-clinical.h); a unique index rather than a UNIQUE column
   * because ALTER TABLE cannot add one. Existing entities get theirs in
   * code right after this (HMAC). */
  "CREATE TABLE patients ("
  "  entity_id INTEGER PRIMARY KEY REFERENCES entities (id),"
  "  birth_date TEXT,"
  "  sex TEXT,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE encounters ("
  "  id INTEGER PRIMARY KEY,"
  "  entity_id INTEGER NOT NULL REFERENCES entities (id),"
  "  ref TEXT,"
  "  ward TEXT,"
  "  bed TEXT,"
  "  admitted_at INTEGER NOT NULL,"
  "  discharged_at INTEGER"
  ");"
  "CREATE INDEX encounters_by_entity ON encounters (entity_id, admitted_at);"
  "CREATE INDEX encounters_by_ward ON encounters (ward, bed);"
  "CREATE TABLE clinical_records ("
  "  id INTEGER PRIMARY KEY,"
  "  entity_id INTEGER NOT NULL REFERENCES entities (id),"
  "  kind TEXT NOT NULL,"
  "  ref TEXT NOT NULL,"
  "  ts INTEGER NOT NULL,"
  "  end_ts INTEGER NOT NULL DEFAULT 0,"
  "  code TEXT,"
  "  text TEXT,"
  "  detail TEXT,"
  "  status TEXT,"
  "  UNIQUE (entity_id, kind, ref)"
  ");"
  "CREATE INDEX clinical_records_by_time ON clinical_records (entity_id, ts);"
  "ALTER TABLE entities ADD COLUMN pseudonym TEXT;"
  "CREATE UNIQUE INDEX entities_by_pseudonym ON entities (pseudonym);",

  /* 5: security (issue 6). The audit trail is append-only: each row's MAC
   * (HMAC-SHA256 under the store's audit key in store_meta) covers its
   * fields and the previous row's MAC (tw-audit.c); the triggers refuse
   * to change or remove rows, so tampering takes deliberate work and is
   * then caught by the chain and the head kept in the sidecar. Users get
   * a must-change flag (one-time passwords) and wards (clinicians see
   * their wards; others by emergency access, which is recorded here for
   * the admin's review). */
  "CREATE TABLE audit ("
  "  seq INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  subject TEXT,"
  "  detail TEXT,"
  "  mac BLOB NOT NULL"
  ");"
  "CREATE INDEX audit_by_time ON audit (at);"
  "CREATE TRIGGER audit_refuses_update BEFORE UPDATE ON audit"
  "  BEGIN SELECT RAISE (ABORT, 'audit rows cannot be changed'); END;"
  "CREATE TRIGGER audit_refuses_delete BEFORE DELETE ON audit"
  "  BEGIN SELECT RAISE (ABORT, 'audit rows cannot be deleted'); END;"
  "ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE user_wards ("
  "  user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,"
  "  ward TEXT NOT NULL,"
  "  PRIMARY KEY (user, ward)"
  ") WITHOUT ROWID;"
  "CREATE TABLE break_glass ("
  "  id INTEGER PRIMARY KEY,"
  "  user TEXT NOT NULL,"
  "  entity_id INTEGER NOT NULL REFERENCES entities (id),"
  "  reason TEXT NOT NULL,"
  "  opened_at INTEGER NOT NULL,"
  "  closed_at INTEGER,"
  "  reviewed_by TEXT,"
  "  reviewed_at INTEGER,"
  "  review_note TEXT"
  ");"
  "CREATE INDEX break_glass_by_user ON break_glass (user, closed_at);",
};

/* Steps that need code after their SQL, in the same transaction. */
static gboolean
migrate_code (TwStore  *store,
              int       to_version,
              GError  **error)
{
  switch (to_version)
    {
    case 4:
      return tw_store_backfill_pseudonyms (store, error);
    default:
      return TRUE;
    }
}

gboolean
tw_store_migrate (TwStore  *store,
                  GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, "PRAGMA user_version", error);
  int version;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the schema version");
      return FALSE;
    }
  version = sqlite3_column_int (stmt, 0);

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_FAILED,
                   "This store was written by a newer Tidewatch (schema %d, this program knows "
                   "up to %u); install the newer version to open it",
                   version, (guint) G_N_ELEMENTS (migrations));
      return FALSE;
    }

  for (; version < (int) G_N_ELEMENTS (migrations); version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      /* Each step and its version number commit together or not at all. */
      if (!tw_store_exec (store, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!tw_store_exec (store, migrations[version], error)
          || !migrate_code (store, version + 1, error)
          || !tw_store_exec (store, bump, error)
          || !tw_store_exec (store, "COMMIT", error))
        {
          tw_store_exec (store, "ROLLBACK", NULL);
          g_prefix_error (error, "Upgrading the store to schema %d failed: ", version + 1);
          return FALSE;
        }
    }

  store->schema_version = version;
  return TRUE;
}
