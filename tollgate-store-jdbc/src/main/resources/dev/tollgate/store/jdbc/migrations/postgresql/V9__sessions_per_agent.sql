-- Version 9: session ids are per agent. The engine keys a session as `<agent>/<id>` (an id has no
-- `/`), so two agents may use the same id without seeing, or learning of, each other's session;
-- the memory ledger `~memory/<agent>` becomes `<agent>/~memory`. Results move with their session.
-- Keys already of the new form are left alone, so that running it again changes nothing.
UPDATE session_result SET session_id = (
  SELECT CASE WHEN s.id = '~memory/' || s.agent THEN s.agent || '/~memory' ELSE s.agent || '/' || s.id END
  FROM session s WHERE s.id = session_result.session_id)
WHERE EXISTS (SELECT 1 FROM session s WHERE s.id = session_result.session_id AND s.agent IS NOT NULL
  AND s.id NOT LIKE s.agent || '/%');
UPDATE session SET id = CASE WHEN id = '~memory/' || agent THEN agent || '/~memory' ELSE agent || '/' || id END
WHERE agent IS NOT NULL AND id NOT LIKE agent || '/%';
