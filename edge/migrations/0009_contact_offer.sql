-- A score of 1 to 3 offers the optional contact fields in the widget
-- (issue 17); a site can turn the offer off. Expand only: existing sites
-- get the offer, as a new site does.
ALTER TABLE sites ADD COLUMN offer_contact INTEGER NOT NULL DEFAULT 1;
