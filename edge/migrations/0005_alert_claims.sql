-- Issue 20: every unfinished alert is eventually sent or buried, and two
-- consumers holding copies of one message never send it to one recipient
-- twice.

-- When the alert's current queue message is due: set when it is queued
-- (now) and when the consumer retries it with a delay (now + delay). An
-- unfinished alert whose message is more than a few minutes overdue was
-- lost (a failed send, a dropped retry), and the cron queues it again.
-- NULL on older rows: `queued_at` stands in.
ALTER TABLE alerts ADD COLUMN due_at INTEGER;

-- A delivery attempt is claimed before the call: its row is written first,
-- with `claimed_until` = the end of its lease, and completed after the call
-- (status, error, duration; `claimed_until` back to NULL). While a claim is
-- live no other consumer may start an attempt for the same alert and
-- recipient. A claim whose consumer died simply expires, and counts as an
-- attempt with no answer.
ALTER TABLE deliveries ADD COLUMN claimed_until INTEGER;
