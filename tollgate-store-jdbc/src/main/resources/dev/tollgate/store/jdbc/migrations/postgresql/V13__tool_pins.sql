-- Version 13: the MCP gateway pins the definitions of servers' tools. Each agent has at most one
-- accepted definition per tool; a changed or flagged one waits, pending, for a person.
CREATE TABLE IF NOT EXISTS tool_pin (
  agent TEXT NOT NULL,
  server TEXT NOT NULL,
  tool TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  definition TEXT NOT NULL,
  status TEXT NOT NULL,
  concerns TEXT NOT NULL,
  seen_at TEXT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  PRIMARY KEY (agent, server, tool, fingerprint)
);
CREATE UNIQUE INDEX IF NOT EXISTS tool_pin_accepted ON tool_pin (agent, server, tool)
  WHERE status = 'accepted';
CREATE TABLE IF NOT EXISTS tool_pin_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL);
INSERT INTO tool_pin_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
