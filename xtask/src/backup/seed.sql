-- Two sites for `cargo xtask backup-check`: `shop-a` is backed up, wiped
-- and restored; `shop-b` and the deployment's own rows (people, keys,
-- sessions, links, rate windows, staff mail) must come through untouched.
-- Site A has a row in every exported table, values that break naive
-- quoting (quotes, `;`, comments, newlines, NUL, non-ASCII, NULLs), more
-- rows than the check's page in `responses`, `counters` and `audit`, and
-- rows that look like its own but are not (a person's audit row whose
-- subject is its key, staff mail). Column lists are explicit so the file
-- keeps working when later migrations add columns with defaults.

INSERT INTO sites (key, origins, copy, show_score, show_guarantee, cooldown_days, sla_minutes,
                   rate_per_minute, updated_at, turnstile_sitekey, turnstile_secret, deadline_minutes, offer_contact)
VALUES
  ('shop-a', '["https://shop-a.example","http://127.0.0.1:*"]',
   '{"de":{"question":"Was hätten wir besser machen können? „Ehrlich“ – ''bitte''"}}',
   1, 1, 14, '{"senior":15,"account":60}', 25, 1700000000000, '0x4AAAAAAA-a', 'turnstile-secret-a', '{"senior":{"call":240}}', 0),
  ('shop-b', '["https://shop-b.example"]', '{}', 0, 0, 30, '{}', 10, 1700000000001, NULL, NULL, '{}', 1);

INSERT INTO recipients (id, site, role, format, url, secret, created_at) VALUES
  ('a-rec-1', 'shop-a', 'service_manager', 'webhook', 'https://hooks.example/a?x=1&y=''2''', 'whsec_c2VjcmV0LWE=', 1700000000100),
  ('a-rec-2', 'shop-a', 'president', 'slack', 'https://hooks.slack.com/services/T0/B0/a', NULL, 1700000000101),
  ('b-rec-1', 'shop-b', 'service_manager', 'discord', 'https://discord.com/api/webhooks/1/b', NULL, 1700000000102);

INSERT INTO responses (id, site, received_at, gaps, score, guarantee, tier, contact_name, contact_email,
                       contact_phone, callback, page, transaction_ref, locale, reply, erased_at, case_id,
                       email_key, phone_key)
VALUES
  ('a-r1', 'shop-a', 1700000001000,
   'It''s "late"; -- not a comment' || char(10) || '/* nor this */ DROP TABLE responses; BEGIN; END; $1 ?1 :x @y \ `' || char(13) || char(10) || 'Größe: 日本語, العربية 🙂' || char(9) || 'NUL:' || char(0) || ':end',
   1, 1, 'senior', 'Zoë O''Brien', 'zoe@example.com', '+44 20 7946 0000', 1,
   'https://shop-a.example/checkout?a=1&b=''2''', 'order-1', 'de', '{"id":"a-r1","thanks":"Danke – ''ehrlich''"}',
   NULL, 'a-r1', 'ek-a1', 'pk-a1'),
  ('a-r2', 'shop-a', 1700000002000, '', NULL, 0, 'service', NULL, NULL, NULL, 1,
   NULL, NULL, NULL, '{}', NULL, 'a-r2', NULL, NULL),
  ('a-r3', 'shop-a', 1700000003000, 'Fine, thanks.', 5, 0, 'none', NULL, NULL, NULL, 0,
   '/', NULL, 'en', '{}', NULL, NULL, NULL, NULL),
  ('a-r4', 'shop-a', 1700000004000, '', 2, 0, 'none', NULL, NULL, NULL, 0,
   NULL, 'order-4', 'ar', '{}', 1700000009000, NULL, NULL, NULL),
  ('b-r1', 'shop-b', 1700000001500, 'B: slow', 1, 0, 'senior', 'Bo', 'bo@example.com', NULL, 0,
   NULL, NULL, 'en', '{}', NULL, 'b-r1', 'ek-b1', NULL),
  ('b-r2', 'shop-b', 1700000002500, 'B: ok', 4, 0, 'none', NULL, NULL, NULL, 0,
   NULL, NULL, NULL, '{}', NULL, NULL, NULL, NULL);

INSERT INTO cases (id, site, tier, state, level, opened_at, ack_due_at, updated_at, owner_id, owner_name, ack_from, state_at)
VALUES
  ('a-r1', 'shop-a', 'senior', 'acknowledged', 'senior_management', 1700000001000, 1700000901000, 1700000005000,
   '00000000000000000000000000000a01', 'Ana “Boss” O''Neil', 'dashboard', 1700000005000),
  ('a-r2', 'shop-a', 'service', 'open', 'service_manager', 1700000002000, NULL, 1700000002000, NULL, NULL, NULL, 1700000002000),
  ('b-r1', 'shop-b', 'senior', 'open', 'senior_management', 1700000001500, 1700000901500, 1700000001500, NULL, NULL, NULL, 1700000001500);

-- Ids interleave between the sites: a restore keeps them.
INSERT INTO events (id, case_id, type, by, note, data, at) VALUES
  (1, 'a-r1', 'opened', NULL, NULL, NULL, 1700000001000),
  (2, 'b-r1', 'opened', NULL, NULL, NULL, 1700000001500),
  (3, 'a-r1', 'acknowledged', 'Ana “Boss” O''Neil', 'Called; she said "it''s fine"' || char(10) || 'line 2', '{"root_cause":"shipping"}', 1700000005000);

INSERT INTO alerts (id, case_id, level, reason, base_url, created_at, queued_at, finished_at, due_at) VALUES
  ('msg_a-r1_senior_management_new', 'a-r1', 'senior_management', '{"new":null}', 'https://candor.example', 1700000001000, 1700000001001, 1700000001500, NULL),
  ('msg_a-r2_service_manager_new', 'a-r2', 'service_manager', '{"new":null}', 'https://candor.example', 1700000002000, NULL, NULL, 1700000002100),
  ('msg_b-r1_senior_management_new', 'b-r1', 'senior_management', '{"new":null}', 'https://candor.example', 1700000001500, 1700000001501, NULL, NULL);

INSERT INTO deliveries (id, case_id, recipient_id, idempotency_id, attempt, status, error, started_at, duration_ms, claimed_until) VALUES
  (1, 'b-r1', 'b-rec-1', 'msg_b-r1_senior_management_new', 1, 500, 'upstream said "no"', 1700000001600, 120, NULL),
  (2, 'a-r1', 'a-rec-1', 'msg_a-r1_senior_management_new', 1, NULL, 'connection reset', 1700000001100, 3000, NULL),
  (3, 'a-r1', 'a-rec-2', 'msg_a-r1_senior_management_new', 1, 200, NULL, 1700000001200, 80, NULL);

INSERT INTO dead_letters (alert_id, recipient_id, case_id, why, last_status, at) VALUES
  ('msg_a-r1_senior_management_new', 'a-rec-1', 'a-r1', 'refused: 410 Gone', 410, 1700000001300),
  ('msg_b-r1_senior_management_new', 'b-rec-1', 'b-r1', 'attempts used', 500, 1700000001700);

INSERT INTO step_alerts (case_id, step, at) VALUES
  ('a-r1', 'call', 1700000006000),
  ('b-r1', 'call', 1700000006500);

INSERT INTO answer_tags (response_id, tag, by, at) VALUES
  ('a-r3', 'shipping', 'Ana', 1700000007000),
  ('a-r1', 'packaging', 'Ana', 1700000007001),
  ('b-r2', 'shipping', 'Bo', 1700000007002);

INSERT INTO mails (id, kind, recipient, subject, text, html, created_at, attempts, next_at, sent_at, failed_at, last_error, case_id) VALUES
  ('thanks-a-r1', 'thanks', 'zoe@example.com', 'Danke, Zoë', 'Hallo Zoë,' || char(10) || 'danke – „ehrlich“.', '<p>Hallo Zoë</p>', 1700000001000, 1, NULL, 1700000001100, NULL, NULL, 'a-r1'),
  ('report-a-r1', 'report', 'zoe@example.com', 'What we will do', 'We''ll fix it.', '<p>We&#39;ll fix it.</p>', 1700000008000, 0, 1700000008060, NULL, NULL, NULL, 'a-r1'),
  ('thanks-b-r1', 'thanks', 'bo@example.com', 'Thanks, Bo', 'Hi Bo', '<p>Hi Bo</p>', 1700000001500, 1, NULL, 1700000001600, NULL, NULL, 'b-r1'),
  -- Staff mail: the deployment's, in no backup.
  ('staff-1', 'sign_in', 'owner@example.com', 'Sign in', 'link', '<a>link</a>', 1700000000500, 1, NULL, 1700000000600, NULL, NULL, NULL);

INSERT INTO fixes (site, code, description, status, owner_id, owner_name, due_at, created_at, updated_at, reopened_at) VALUES
  ('shop-a', 'shipping', 'Switch carrier; ''express'' by default', 'in_progress', '00000000000000000000000000000a01', 'Ana', 1710000000000, 1700000008000, 1700000008000, NULL),
  ('shop-b', 'shipping', 'B fix', 'planned', NULL, NULL, NULL, 1700000008000, 1700000008000, NULL);

INSERT INTO counters (site, day, name, count) VALUES
  ('shop-a', '2023-11-14', 'honeypot', 2),
  ('shop-a', '2023-11-14', 'rate_limited', 7),
  ('shop-a', '2023-11-15', 'honeypot', 1),
  ('shop-a', '2023-11-15', 'turnstile_failed', 3),
  ('shop-b', '2023-11-14', 'honeypot', 9);

INSERT INTO audit (id, at, by, action, subject, note, actor, before, after) VALUES
  (1, 1700000000200, 'Ana', 'settings_saved', 'shop-a', NULL, 'person:00000000000000000000000000000a01', '{"cooldown_days":30}', '{"cooldown_days":14}'),
  (2, 1700000000300, 'Bo', 'settings_saved', 'shop-b', NULL, 'admin_token', NULL, '{}'),
  (3, 1700000000400, 'Ana', 'recipient_url_revealed', 'a-rec-1', 'the full URL of this webhook recipient of site shop-a was read', NULL, NULL, NULL),
  (4, 1700000009000, 'Ana', 'erased', 'a-r4', 'personal data erased on request', NULL, NULL, NULL),
  (5, 1700000009100, 'Ana', 'exported', 'shop-a', NULL, 'person:00000000000000000000000000000a01', NULL, '{"query":"site=shop-a&format=ndjson"}'),
  -- The deployment's: people and exports of every site, in no site's backup.
  (6, 1700000009200, 'Ana', 'person_added', 'shop-a', NULL, 'admin_token', NULL, '{"email":"ana@example.com"}'),
  (7, 1700000009300, 'Ana', 'exported', 'every site', NULL, 'admin_token', NULL, '{"query":"format=csv"}'),
  (8, 1700000009400, 'Ana', 'recipient_added', 'shop-a', NULL, 'admin_token', NULL, '{"id":"a-rec-2"}');

-- Tables a backup leaves out: they must come through the check untouched.
INSERT INTO people (id, email, name, role, sites, created_at, updated_at) VALUES
  ('00000000000000000000000000000a01', 'ana@example.com', 'Ana “Boss” O''Neil', 'manager', 'shop-a,shop-b', 1700000000000, 1700000000000);
INSERT INTO sessions (id, manager, created_at, expires_at, person_id) VALUES
  ('5e55105e55105e55105e55105e55105e', 'Ana', 1700000000000, 1700043200000, '00000000000000000000000000000a01');
INSERT INTO sign_in_links (hash, person_id, created_at, expires_at, used_at) VALUES
  ('h45h', '00000000000000000000000000000a01', 1700000000000, 1700000900000, NULL);
INSERT INTO api_keys (id, name, scope, hash, created_at, created_by) VALUES
  ('0123456789abcdef', 'shop-a', 'read', 'h45h', 1700000000000, 'Ana');
INSERT INTO rate_windows (key, window, count) VALUES ('k', 1700000000000, 3);
