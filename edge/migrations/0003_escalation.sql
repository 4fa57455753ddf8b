-- Escalation (issue 6): durable alert delivery through a Cloudflare Queue,
-- SLA re-escalation by cron, and the dead-letter view.

-- The outbox: one row per alert, i.e. per (case, level, reason). Written in
-- the same transaction as the change that causes it (a new case, a
-- re-escalation, an acknowledgement), so an alert can be late but never
-- lost: the cron puts rows back on the queue whose message went missing.
CREATE TABLE alerts (
  id          TEXT PRIMARY KEY,                -- the idempotency id, msg_<case>_<level>_<reason>
  case_id     TEXT NOT NULL,
  level       TEXT NOT NULL,
  reason      TEXT NOT NULL,                   -- JSON of domain::alert::Reason
  base_url    TEXT NOT NULL,                   -- the Worker's public origin, for links
  created_at  INTEGER NOT NULL,
  queued_at   INTEGER,                         -- last put on the queue; NULL = not yet
  finished_at INTEGER                          -- every recipient delivered or dead
);
CREATE INDEX alerts_by_case ON alerts(case_id);
CREATE INDEX alerts_unfinished ON alerts(finished_at, queued_at);

-- Deliveries that will never happen: a permanent refusal (400/403/404/410,
-- a redirect) or every attempt used. One row per alert and recipient.
CREATE TABLE dead_letters (
  alert_id     TEXT NOT NULL,
  recipient_id TEXT NOT NULL,
  case_id      TEXT NOT NULL,
  why          TEXT NOT NULL,
  last_status  INTEGER,
  at           INTEGER NOT NULL,
  PRIMARY KEY (alert_id, recipient_id)
) WITHOUT ROWID;
CREATE INDEX dead_letters_by_time ON dead_letters(at DESC);

-- The attempts so far per alert and recipient: read on every retry.
CREATE INDEX deliveries_by_alert ON deliveries(idempotency_id, recipient_id);

-- The SLA cron's question: open cases past their deadline.
CREATE INDEX cases_overdue ON cases(state, ack_due_at);
