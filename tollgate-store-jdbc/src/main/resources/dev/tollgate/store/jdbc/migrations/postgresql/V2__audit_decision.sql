-- Version 2 (PostgreSQL): the decision id as its own indexed column, so that any instance can read
-- a decision back from the audit (GET /v1/decisions/{id}).
ALTER TABLE audit ADD COLUMN decision TEXT;
UPDATE audit SET decision = (entry::jsonb ->> 'decision') WHERE kind = 'decision';
CREATE INDEX audit_decision ON audit (decision);
