-- Mail to the customer belongs to a case (issue 17): the thank-you, the
-- report with the committed actions and the "what changed" note at
-- closure. The case page lists them as its delivery log, and erasure finds
-- them by case. Expand only: staff mail keeps case_id NULL.
ALTER TABLE mails ADD COLUMN case_id TEXT;
CREATE INDEX mails_by_case ON mails(case_id, created_at) WHERE case_id IS NOT NULL;
