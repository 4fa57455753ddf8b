-- Issue 16: every answer is visible and can be tagged with a root-cause
-- code (tagged answers count toward return on satisfaction), and systemic
-- fixes are tracked after their cases close.

CREATE TABLE answer_tags (
  response_id TEXT NOT NULL REFERENCES responses(id),
  tag         TEXT NOT NULL,                  -- a root-cause code
  by          TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (response_id, tag)
) WITHOUT ROWID;
CREATE INDEX answer_tags_by_tag ON answer_tags(tag);

-- One systemic fix per site and root cause, made when a case closes with
-- a systemic fix other than "none". Marked done, it reopens when another
-- case closes with the same cause.
CREATE TABLE fixes (
  site        TEXT NOT NULL,
  code        TEXT NOT NULL,                  -- the root-cause code
  description TEXT NOT NULL,                  -- the systemic fix as first recorded
  status      TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','in_progress','done','wont_do')),
  owner_id    TEXT,
  owner_name  TEXT,
  due_at      INTEGER,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  reopened_at INTEGER,
  PRIMARY KEY (site, code)
) WITHOUT ROWID;
