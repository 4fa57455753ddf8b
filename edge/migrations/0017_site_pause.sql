-- While a site moves into its own object (`cargo xtask move-site`,
-- edge/src/store/moving.rs), its answers are held off: until this time
-- (epoch ms) ingest answers 429 with Retry-After, which the widget's outbox
-- honours, and an answer already on its way stores nothing in D1. A lease,
-- so a move that dies mid-way lets the site take answers again by itself.
ALTER TABLE sites ADD COLUMN paused_until INTEGER;

-- A page of the move reads and deletes dead letters by their case, as it
-- does every other row that hangs off an answer.
CREATE INDEX dead_letters_by_case ON dead_letters(case_id);
