-- Tollgate store, version 1 (SQLite). Times are UTC text with nine fraction digits: they sort.
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  kind TEXT NOT NULL,
  agent TEXT,
  user_name TEXT,
  session TEXT,
  tool TEXT,
  effect TEXT,
  entry TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_agent ON audit (agent, seq);
CREATE INDEX audit_session ON audit (session, seq);
CREATE INDEX audit_tool ON audit (tool, seq);
CREATE INDEX audit_time ON audit (time);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
  VALUES (1, 0, 'sha256:0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE audit_checkpoint (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  time TEXT NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL
);
CREATE TABLE session (
  id TEXT PRIMARY KEY,
  agent TEXT,
  user_name TEXT,
  request TEXT,
  task TEXT NOT NULL,
  labels TEXT NOT NULL,
  history TEXT NOT NULL,
  opened TEXT NOT NULL
);
CREATE TABLE credential (
  token_hash TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  created TEXT NOT NULL,
  revoked TEXT
);
CREATE INDEX credential_agent ON credential (agent);
