-- Version 12: the rate counters become a log. Each server appends a decision's entries and reads,
-- in the same call, the entries of those streams the others appended since it last looked; it
-- keeps the measures in its own memory. So a tally costs the database an append and a read of a
-- few new rows, not the window. The counters of version 11 are dropped (they start again at
-- zero), and so is its function: a server still calling it fails closed.
DROP FUNCTION IF EXISTS tollgate_tally(TEXT, INTEGER, BOOLEAN, BIGINT, DOUBLE PRECISION, BIGINT[],
    BIGINT, BIGINT[]);
DROP TABLE IF EXISTS rate_event;
CREATE SEQUENCE IF NOT EXISTS rate_log_seq;
-- One entry per counted action and stream, or per action taken out again (released); vals are
-- keyed fingerprints of the targets, never the targets; micros the amount in millionths.
CREATE TABLE IF NOT EXISTS rate_log (
  stream TEXT NOT NULL,
  seq BIGINT NOT NULL,
  id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  micros BIGINT NOT NULL,
  vals BIGINT[] NOT NULL,
  released BOOLEAN NOT NULL,
  PRIMARY KEY (stream, seq)
);
CREATE INDEX IF NOT EXISTS rate_log_at ON rate_log (stream, at);

-- Takes the advisory locks of these streams, in one order whoever calls, so that two decisions
-- locking overlapping streams never wait on each other in a cycle.
CREATE OR REPLACE FUNCTION tollgate_lock_streams(p_streams TEXT[]) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
  keys BIGINT[];
  k BIGINT;
BEGIN
  SELECT coalesce(array_agg(DISTINCT h ORDER BY h), '{}') INTO keys
    FROM (SELECT hashtextextended(x, 7) AS h FROM unnest(p_streams) AS x) q;
  FOREACH k IN ARRAY keys LOOP
    PERFORM pg_advisory_xact_lock(k);
  END LOOP;
END
$$;

-- A decision's appends and reads. Stream i appends (when p_adds[i]) an entry with p_ids[i],
-- p_ats[i], p_micros[i] and the values p_vals[p_val_ends[i-1]+1 .. p_val_ends[i]], and returns
-- (r_k = i) its entries after p_after[i] stamped at or after p_since[i], in seq order. Lookup j
-- returns one row (r_k = -j) whose r_released says whether some of
-- p_fps[p_fp_ends[j-1]+1 .. p_fp_ends[j]] were not acted on by p_subjects[j] since p_seen_since[j].
--
-- Each stream's advisory lock is taken before the entry's number and held to the end of the
-- call's transaction, so a stream's entries are numbered in the order of its lock, and each call
-- sees every entry numbered before its own. The commit does not wait for the disk: the other
-- servers see it at once, and a crash of the database loses at most the last moment's counts
-- (the audit, written apart, still waits).
CREATE OR REPLACE FUNCTION tollgate_sync(p_streams TEXT[], p_after BIGINT[], p_since BIGINT[],
    p_adds BOOLEAN[], p_ids BIGINT[], p_ats BIGINT[], p_micros BIGINT[], p_vals BIGINT[],
    p_val_ends INTEGER[], p_subjects TEXT[], p_fps BIGINT[], p_fp_ends INTEGER[],
    p_seen_since BIGINT[])
RETURNS TABLE (r_k INTEGER, r_seq BIGINT, r_id BIGINT, r_at BIGINT, r_micros BIGINT,
    r_vals BIGINT[], r_released BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
  vfrom INTEGER := 1;
  ffrom INTEGER := 1;
  fps BIGINT[];
  found_n BIGINT;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  PERFORM tollgate_lock_streams(p_streams);
  FOR i IN 1 .. coalesce(cardinality(p_streams), 0) LOOP
    IF p_adds[i] THEN
      INSERT INTO rate_log (stream, seq, id, at, micros, vals, released)
        VALUES (p_streams[i], nextval('rate_log_seq'), p_ids[i], p_ats[i], p_micros[i],
          p_vals[vfrom : p_val_ends[i]], false);
    END IF;
    vfrom := p_val_ends[i] + 1;
    -- entries past every window go in batches, now and then
    IF random() < 0.01 THEN
      DELETE FROM rate_log l WHERE l.stream = p_streams[i] AND l.at < p_since[i];
    END IF;
    RETURN QUERY SELECT i, l.seq, l.id, l.at, l.micros, l.vals, l.released FROM rate_log l
      WHERE l.stream = p_streams[i] AND l.seq > p_after[i] AND l.at >= p_since[i]
      ORDER BY l.seq;
  END LOOP;
  FOR j IN 1 .. coalesce(cardinality(p_subjects), 0) LOOP
    fps := p_fps[ffrom : p_fp_ends[j]];
    ffrom := p_fp_ends[j] + 1;
    SELECT count(*) INTO found_n FROM rate_seen
      WHERE subject = p_subjects[j] AND fp = ANY(fps) AND at >= p_seen_since[j];
    RETURN QUERY SELECT -j, 0::BIGINT, 0::BIGINT, 0::BIGINT, 0::BIGINT, '{}'::BIGINT[],
      found_n < (SELECT count(DISTINCT x) FROM unnest(fps) AS x);
  END LOOP;
END
$$;

-- Appends an entry taking each event out again (its action was denied).
CREATE OR REPLACE FUNCTION tollgate_release(p_streams TEXT[], p_ids BIGINT[], p_now BIGINT)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  PERFORM tollgate_lock_streams(p_streams);
  FOR i IN 1 .. coalesce(cardinality(p_streams), 0) LOOP
    INSERT INTO rate_log (stream, seq, id, at, micros, vals, released)
      VALUES (p_streams[i], nextval('rate_log_seq'), p_ids[i], p_now, 0, '{}', true);
  END LOOP;
END
$$;

-- Remembers that each subject acted on its targets (p_fps[p_ends[j-1]+1 .. p_ends[j]]) now.
CREATE OR REPLACE FUNCTION tollgate_remember(p_subjects TEXT[], p_fps BIGINT[],
    p_ends INTEGER[], p_now BIGINT) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
  ffrom INTEGER := 1;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  FOR j IN 1 .. coalesce(cardinality(p_subjects), 0) LOOP
    INSERT INTO rate_seen (subject, fp, at)
      SELECT DISTINCT p_subjects[j], x, p_now FROM unnest(p_fps[ffrom : p_ends[j]]) AS x
      ON CONFLICT (subject, fp) DO UPDATE SET at = GREATEST(rate_seen.at, EXCLUDED.at);
    ffrom := p_ends[j] + 1;
  END LOOP;
END
$$;
