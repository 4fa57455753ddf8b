-- Issue 16: managers are people. Every person has an account; they sign in
-- with a one-time link sent by mail (or through Cloudflare Access), and
-- their session names the account, so every step they take is theirs.

CREATE TABLE people (
  id          TEXT PRIMARY KEY,                -- 32 hex characters of randomness
  email       TEXT NOT NULL UNIQUE,            -- lower-cased (domain::people::account_email)
  name        TEXT NOT NULL,                   -- shown on every step they take
  role        TEXT NOT NULL CHECK (role IN ('owner','manager','viewer')),
  sites       TEXT NOT NULL DEFAULT '',        -- '*' or site keys joined by ','
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Sessions now belong to a person. Sessions from before (a typed name and
-- the admin token) cannot name one: they end here, and everyone signs in
-- again by link.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN person_id TEXT REFERENCES people(id) ON DELETE CASCADE;
CREATE INDEX sessions_by_person ON sessions(person_id);

-- One-time sign-in links. Only the SHA-256 of the link's secret is kept:
-- a copy of this table signs no one in. A link works once (`used_at`) and
-- for 15 minutes (`expires_at`).
CREATE TABLE sign_in_links (
  hash        TEXT PRIMARY KEY,
  person_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER
) WITHOUT ROWID;
CREATE INDEX sign_in_links_by_expiry ON sign_in_links(expires_at);

-- The mail outbox: every mail is written here first and sent from here, so
-- a failed send is retried by the cron and a mail that never goes is
-- marked failed, not lost. `id` is the idempotency key the mail API gets.
CREATE TABLE mails (
  id          TEXT PRIMARY KEY,                -- 32 hex characters of randomness
  kind        TEXT NOT NULL,                   -- sign_in, invitation, …
  recipient   TEXT NOT NULL,
  subject     TEXT NOT NULL,
  text        TEXT NOT NULL,
  html        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER,                         -- when to try again; NULL once sent or failed
  sent_at     INTEGER,
  failed_at   INTEGER,
  last_error  TEXT                             -- never the mail's text
) WITHOUT ROWID;
CREATE INDEX mails_due ON mails(next_at);

-- API keys for integrations, in place of the shared admin token. The key
-- (`cnd_<id>_<secret>`) is shown once; only the secret's hash is kept.
CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,                -- 16 hex characters, the key's public part
  name        TEXT NOT NULL,
  scope       TEXT NOT NULL CHECK (scope IN ('read','write')),
  hash        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  created_by  TEXT NOT NULL,                   -- the owner's name
  revoked_at  INTEGER
) WITHOUT ROWID;

-- The audit log grows from erasures to every change to settings,
-- recipients, people and keys and every export: who (`actor`, a stable
-- id; `by`, their name), and the before and after as JSON views with no
-- secrets in them.
ALTER TABLE audit ADD COLUMN actor TEXT;        -- person:<id>, key:<id> or admin_token
ALTER TABLE audit ADD COLUMN before TEXT;
ALTER TABLE audit ADD COLUMN after TEXT;
CREATE INDEX audit_by_time ON audit(id);
