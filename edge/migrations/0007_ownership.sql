-- Issue 16: a case has an owner — the first person to acknowledge it in
-- the dashboard, or whom a manager assigns — and every step after the
-- acknowledgement has a deadline.
ALTER TABLE cases ADD COLUMN owner_id TEXT;       -- people.id; NULL: nobody owns it
ALTER TABLE cases ADD COLUMN owner_name TEXT;     -- their name when they took it
ALTER TABLE cases ADD COLUMN ack_from TEXT;       -- dashboard, api or chat (an alert link)
-- When the case entered its current state: a step's deadline counts from
-- it (the call from the acknowledgement, the report from the call, the
-- close from the report).
ALTER TABLE cases ADD COLUMN state_at INTEGER;
UPDATE cases SET state_at = updated_at;
CREATE INDEX cases_by_owner ON cases(owner_id, state);

-- Deadlines of the steps after acknowledgement, per tier: overrides of
-- the defaults in `domain::deadlines`, as JSON.
ALTER TABLE sites ADD COLUMN deadline_minutes TEXT NOT NULL DEFAULT '{}';

-- One alert per missed step: the cron marks the step it alerted for, so a
-- case is told once per (case, step), like re-escalation.
CREATE TABLE step_alerts (
  case_id  TEXT NOT NULL,
  step     TEXT NOT NULL CHECK (step IN ('call','report','close')),
  at       INTEGER NOT NULL,
  PRIMARY KEY (case_id, step)
) WITHOUT ROWID;
