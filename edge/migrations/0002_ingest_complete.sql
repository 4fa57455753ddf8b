-- Completes ingest (issue 5): rule 6 (one open case per contact), rate
-- limiting, Turnstile, abuse counters and an audit log for erasures.

-- Which case an answer belongs to: its own (case_id = id), an open case of
-- the same contact it was added to (rule 6), or none (tier none).
ALTER TABLE responses ADD COLUMN case_id TEXT;
-- SHA-256 of the site and the normalised email (phone): finds a contact's
-- open case without another copy of the address. Cleared on erasure.
ALTER TABLE responses ADD COLUMN email_key TEXT;
ALTER TABLE responses ADD COLUMN phone_key TEXT;
UPDATE responses SET case_id = id WHERE id IN (SELECT id FROM cases);
CREATE INDEX responses_by_email_key ON responses(site, email_key) WHERE email_key IS NOT NULL;
CREATE INDEX responses_by_phone_key ON responses(site, phone_key) WHERE phone_key IS NOT NULL;
CREATE INDEX responses_by_case ON responses(case_id) WHERE case_id IS NOT NULL;
CREATE INDEX cases_by_site_opened ON cases(site, opened_at DESC);

-- Optional Cloudflare Turnstile per site: the public sitekey goes to the
-- widget; the secret stays here and is never read back to clients.
ALTER TABLE sites ADD COLUMN turnstile_sitekey TEXT;
ALTER TABLE sites ADD COLUMN turnstile_secret TEXT;

-- Fixed-window rate limit counters: key = SHA-256 of site and client IP
-- (the IP itself is never stored), window = start of the minute in ms.
CREATE TABLE rate_windows (
  key    TEXT NOT NULL,
  window INTEGER NOT NULL,
  count  INTEGER NOT NULL,
  PRIMARY KEY (key, window)
) WITHOUT ROWID;
CREATE INDEX rate_windows_by_window ON rate_windows(window);

-- Abuse counters per site and UTC day: honeypot hits, rate-limited requests,
-- failed Turnstile checks. Shown to managers with the site's configuration.
CREATE TABLE counters (
  site  TEXT NOT NULL,
  day   TEXT NOT NULL,                        -- YYYY-MM-DD (UTC)
  name  TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (site, day, name)
) WITHOUT ROWID;

-- Managers' actions that are not steps of a case (erasures): who, when, what.
CREATE TABLE audit (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  by      TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  note    TEXT
);
CREATE INDEX audit_by_subject ON audit(subject, at);
