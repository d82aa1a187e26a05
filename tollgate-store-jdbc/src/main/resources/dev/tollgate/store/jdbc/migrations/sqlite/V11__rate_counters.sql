-- Version 11: rate counters and novelty fingerprints live in the engine's memory on SQLite (one
-- server per store), so none are stored here; PostgreSQL keeps them in tables every server shares.
-- The kill switch: pauses in force, and a version every server polls to see a change at once.
CREATE TABLE IF NOT EXISTS pause (
  scope TEXT NOT NULL,
  subject TEXT NOT NULL,
  reason TEXT NOT NULL,
  by_whom TEXT NOT NULL,
  at TEXT NOT NULL,
  ended INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, subject)
);
CREATE TABLE IF NOT EXISTS pause_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
INSERT INTO pause_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
