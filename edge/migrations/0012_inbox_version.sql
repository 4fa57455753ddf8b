-- The inbox poll's version (domain::inbox::etag): MAX(updated_at) of cases,
-- read from this index instead of a scan of every case.
CREATE INDEX cases_by_updated ON cases(updated_at);
