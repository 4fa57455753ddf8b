-- Retention per site (domain::retention): days after an answer its personal
-- data is erased by the cron; 0 keeps it (the default, as before).
ALTER TABLE sites ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 0;

-- The cron finds, per site, the oldest answers not yet erased.
CREATE INDEX responses_to_erase ON responses(site, received_at) WHERE erased_at IS NULL;

-- Operator notices (dead letters): when each site was last told, so the
-- notice goes out at most once an hour.
CREATE TABLE notices (
  site     TEXT NOT NULL,
  kind     TEXT NOT NULL,                 -- dead_letters
  sent_at  INTEGER NOT NULL,              -- when the last notice went out
  seen_to  INTEGER NOT NULL,              -- newest item it covered (dead_letters.at)
  PRIMARY KEY (site, kind)
);
