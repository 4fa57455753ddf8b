-- The demo site for `cargo xtask dev` and the end-to-end tests. `{{INBOX_URL}}`
-- and `{{INBOX_SECRET}}` are filled in by whoever applies it: every tier
-- alerts that local inbox.
INSERT INTO sites (key, origins, show_score, show_guarantee, cooldown_days, sla_minutes, rate_per_minute, updated_at)
VALUES ('demo', '["http://127.0.0.1:*","http://localhost:*"]', 1, 1, 30, '{}', 1000, 0)
ON CONFLICT(key) DO UPDATE SET origins = excluded.origins, rate_per_minute = excluded.rate_per_minute;

DELETE FROM recipients WHERE site = 'demo';
INSERT INTO recipients (id, site, role, format, url, secret, created_at) VALUES
  ('demo-service',   'demo', 'service_manager',   'webhook', '{{INBOX_URL}}', '{{INBOX_SECRET}}', 0),
  ('demo-client',    'demo', 'client_manager',    'webhook', '{{INBOX_URL}}', '{{INBOX_SECRET}}', 0),
  ('demo-senior',    'demo', 'senior_management', 'webhook', '{{INBOX_URL}}', '{{INBOX_SECRET}}', 0),
  ('demo-president', 'demo', 'president',         'webhook', '{{INBOX_URL}}', '{{INBOX_SECRET}}', 0);

-- The first owner, so `cargo xtask dev` can be signed in to at once: ask
-- for a link at /dashboard/login with this address and open it from the
-- dev mail catcher (http://127.0.0.1:8789/mail).
INSERT INTO people (id, email, name, role, sites, created_at, updated_at)
VALUES ('00000000000000000000000000000001', 'owner@example.com', 'Dev Owner', 'owner', '*', 0, 0)
ON CONFLICT(email) DO NOTHING;
