-- Insights across every site read the cases opened since a date: a range
-- of this index instead of a walk of every case (the per-site index serves
-- one site or a scope).
CREATE INDEX cases_by_opened ON cases(opened_at);
