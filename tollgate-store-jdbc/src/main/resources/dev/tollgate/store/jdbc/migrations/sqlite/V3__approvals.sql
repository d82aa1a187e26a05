-- Version 3: approvals and the grants they issue. Times are UTC text with nine fraction digits.
CREATE TABLE approval (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  kind TEXT NOT NULL,
  agent TEXT NOT NULL,
  user_name TEXT,
  session TEXT,
  tool TEXT NOT NULL,
  args_digest TEXT,
  body TEXT NOT NULL,
  created TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  note TEXT,
  grant_id TEXT
);
CREATE INDEX approval_status ON approval (status, created);
CREATE INDEX approval_action ON approval (agent, tool, args_digest, created);
CREATE TABLE grants (
  id TEXT PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  agent TEXT NOT NULL,
  tool TEXT NOT NULL,
  args_digest TEXT,
  constraint_expr TEXT,
  expires_at TEXT NOT NULL,
  uses INTEGER NOT NULL,
  uses_left INTEGER NOT NULL,
  issuer TEXT NOT NULL,
  reason TEXT NOT NULL,
  approval TEXT,
  created TEXT NOT NULL,
  revoked TEXT,
  revoked_by TEXT
);
CREATE INDEX grants_agent ON grants (agent, expires_at);
CREATE INDEX grants_created ON grants (created);
