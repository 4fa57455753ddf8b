-- Where each site's answers, cases and alerts live (the site registry,
-- edge/src/store/homes.rs): 'd1', this database, where every site began,
-- or 'object', the site's own SQLite Durable Object (SiteStore). The
-- `sites` row itself, people and sessions stay here whatever the home.
ALTER TABLE sites ADD COLUMN home TEXT NOT NULL DEFAULT 'd1' CHECK (home IN ('d1', 'object'));
