-- Candor's schema. Timestamps are UTC milliseconds; JSON columns hold values
-- that domain types parse again on read.

CREATE TABLE sites (
  key            TEXT PRIMARY KEY,
  origins        TEXT NOT NULL DEFAULT '[]',   -- JSON array of origin rules
  copy           TEXT NOT NULL DEFAULT '{}',   -- JSON: locale -> { key: text }
  show_score     INTEGER NOT NULL DEFAULT 1,
  show_guarantee INTEGER NOT NULL DEFAULT 0,
  cooldown_days  INTEGER NOT NULL DEFAULT 30,
  sla_minutes    TEXT NOT NULL DEFAULT '{}',   -- JSON: tier -> minutes
  rate_per_minute INTEGER NOT NULL DEFAULT 10,
  updated_at     INTEGER NOT NULL
);

CREATE TABLE recipients (
  id         TEXT PRIMARY KEY,
  site       TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
  role       TEXT NOT NULL CHECK (role IN ('service_manager','client_manager','senior_management','president')),
  format     TEXT NOT NULL CHECK (format IN ('slack','teams','discord','google_chat','webhook')),
  url        TEXT NOT NULL,
  secret     TEXT,                             -- whsec_… for the generic format
  created_at INTEGER NOT NULL
);
CREATE INDEX recipients_by_site ON recipients(site, role);

-- One row per answer. `id` is the widget's UUID v4: the idempotency key.
CREATE TABLE responses (
  id             TEXT PRIMARY KEY,
  site           TEXT NOT NULL,
  received_at    INTEGER NOT NULL,
  gaps           TEXT NOT NULL,
  score          INTEGER CHECK (score BETWEEN 1 AND 5),
  guarantee      INTEGER NOT NULL DEFAULT 0,
  tier           TEXT NOT NULL,
  contact_name   TEXT,
  contact_email  TEXT,
  contact_phone  TEXT,
  callback       INTEGER NOT NULL DEFAULT 0,
  page           TEXT,
  transaction_ref TEXT,
  locale         TEXT,
  reply          TEXT NOT NULL,                -- the exact JSON answered; replayed on retries
  erased_at      INTEGER
);
CREATE INDEX responses_by_site_time ON responses(site, received_at DESC);
CREATE INDEX responses_by_site_tier ON responses(site, tier, received_at DESC);

-- A case follows a response that needs a human (tier other than none).
CREATE TABLE cases (
  id          TEXT PRIMARY KEY REFERENCES responses(id),
  site        TEXT NOT NULL,
  tier        TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'open',
  level       TEXT NOT NULL,                   -- highest level alerted so far
  opened_at   INTEGER NOT NULL,
  ack_due_at  INTEGER,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX cases_by_site_state ON cases(site, state, ack_due_at);

-- The audit trail: every step of a case, with who, when and a note.
CREATE TABLE events (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id  TEXT NOT NULL REFERENCES cases(id),
  type     TEXT NOT NULL,
  by       TEXT,
  note     TEXT,
  data     TEXT,                               -- JSON: root cause, fixes, effort…
  at       INTEGER NOT NULL
);
CREATE INDEX events_by_case ON events(case_id, at);

-- Every alert attempt.
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id         TEXT NOT NULL,
  recipient_id    TEXT NOT NULL,
  idempotency_id  TEXT NOT NULL,
  attempt         INTEGER NOT NULL,
  status          INTEGER,                     -- HTTP status, NULL on network error
  error           TEXT,
  started_at      INTEGER NOT NULL,
  duration_ms     INTEGER NOT NULL
);
CREATE INDEX deliveries_by_case ON deliveries(case_id, started_at);
