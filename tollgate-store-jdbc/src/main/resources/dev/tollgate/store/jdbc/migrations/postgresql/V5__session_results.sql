-- Version 5: what sessions keep of observed results: fingerprints (keyed hashes), never the text.
ALTER TABLE session ADD COLUMN results BIGINT NOT NULL DEFAULT 0;
CREATE TABLE session_result (
  session_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  tool TEXT NOT NULL,
  trust TEXT NOT NULL,
  labels TEXT NOT NULL,
  fingerprints BYTEA NOT NULL,
  PRIMARY KEY (session_id, seq)
);
