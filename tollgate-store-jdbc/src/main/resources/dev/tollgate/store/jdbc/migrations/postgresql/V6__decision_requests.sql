-- Version 6: calls by request id, which make a retried decide idempotent. One row per agent and
-- request id: the action it named (tool, session, user, argument digest), the decision id, and the
-- decision as the engine wrote it (masked findings only; NULL while it is being decided). Rows past
-- expires_at are swept. Times are UTC text with nine fraction digits.
CREATE TABLE decision_request (
  agent TEXT NOT NULL,
  request_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  session TEXT,
  user_name TEXT,
  args_digest TEXT NOT NULL,
  decision_id TEXT NOT NULL,
  decision TEXT,
  created TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (agent, request_id)
);
CREATE INDEX decision_request_expiry ON decision_request (expires_at);
