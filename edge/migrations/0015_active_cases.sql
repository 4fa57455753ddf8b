-- The inbox's default view across every site is the cases not closed: a
-- small, hot part of `cases` that this partial index holds on its own, so
-- the view reads only them (a site's, a person's or one state's cases come
-- from the indexes by site, owner and state).
CREATE INDEX cases_active ON cases(ack_due_at) WHERE state != 'closed';
