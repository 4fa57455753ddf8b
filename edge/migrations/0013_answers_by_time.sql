-- The managers' API list across every site (admin_view::page without a
-- site) walks answers newest first and stops at the page, instead of
-- reading and sorting every answer.
CREATE INDEX responses_by_time ON responses(received_at DESC);
