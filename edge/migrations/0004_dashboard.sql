-- The managers' dashboard (issue 8): signed-in sessions. The cookie is
-- signed and expires by itself; this row is what signing out deletes, so a
-- copied cookie stops working at once. The admin token itself is never stored.
CREATE TABLE sessions (
  id          TEXT PRIMARY KEY,                -- 32 hex characters of randomness
  manager     TEXT NOT NULL,                   -- the name given at sign-in, recorded on steps
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

-- The insights page reads a period of cases by site and time.
CREATE INDEX events_by_type ON events(type, case_id);
