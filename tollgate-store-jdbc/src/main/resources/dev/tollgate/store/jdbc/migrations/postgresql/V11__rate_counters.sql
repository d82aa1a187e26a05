-- Version 11: rate counters and novelty fingerprints, shared by every server on the database.
-- rate_event: one row per counted action and counter stream (the stream names the counter and its
-- subject); vals are keyed fingerprints of the targets, never the targets.
CREATE TABLE IF NOT EXISTS rate_event (
  stream TEXT NOT NULL,
  id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  amount DOUBLE PRECISION NOT NULL,
  vals BIGINT[] NOT NULL,
  PRIMARY KEY (stream, id)
);
CREATE INDEX IF NOT EXISTS rate_event_at ON rate_event (stream, at);
-- rate_seen: the targets each subject acted on, by keyed fingerprint, with the last time.
CREATE TABLE IF NOT EXISTS rate_seen (
  subject TEXT NOT NULL,
  fp BIGINT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (subject, fp)
);
-- One round trip per counter: the stream's advisory lock (held to the end of the call's
-- transaction) serialises the servers appending to it, and each statement after the lock sees
-- every append committed before, so a limit holds to the unit across servers.
CREATE OR REPLACE FUNCTION tollgate_tally(p_stream TEXT, p_measure INTEGER, p_add BOOLEAN,
    p_id BIGINT, p_amount DOUBLE PRECISION, p_vals BIGINT[], p_now BIGINT, p_windows BIGINT[])
RETURNS DOUBLE PRECISION[] LANGUAGE plpgsql AS $$
DECLARE
  result DOUBLE PRECISION[] := '{}';
  w BIGINT;
  longest BIGINT := 0;
  v DOUBLE PRECISION;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 7));
  FOREACH w IN ARRAY p_windows LOOP
    longest := GREATEST(longest, w);
  END LOOP;
  DELETE FROM rate_event WHERE stream = p_stream AND at < p_now - longest;
  IF p_add THEN
    INSERT INTO rate_event (stream, id, at, amount, vals)
      VALUES (p_stream, p_id, p_now, p_amount, p_vals);
  END IF;
  FOREACH w IN ARRAY p_windows LOOP
    IF p_measure = 0 THEN
      SELECT count(*) INTO v FROM rate_event
        WHERE stream = p_stream AND at >= p_now - w;
    ELSIF p_measure = 1 THEN
      SELECT coalesce(sum(amount), 0) INTO v FROM rate_event
        WHERE stream = p_stream AND at >= p_now - w;
    ELSE
      SELECT count(DISTINCT x) INTO v FROM rate_event, unnest(vals) AS x
        WHERE stream = p_stream AND at >= p_now - w;
    END IF;
    result := result || v;
  END LOOP;
  RETURN result;
END
$$;
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
CREATE TABLE IF NOT EXISTS pause_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL);
INSERT INTO pause_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
