-- Version 7 (PostgreSQL): the decision column for every kind of record, as the writer has always
-- filled it. Version 2 filled it in only for decisions, so that observations and approval events
-- written before it had none; verify compares the column with the hashed entry.
UPDATE audit SET decision = (entry::jsonb ->> 'decision')
  WHERE decision IS NULL AND (entry::jsonb ->> 'decision') IS NOT NULL;
