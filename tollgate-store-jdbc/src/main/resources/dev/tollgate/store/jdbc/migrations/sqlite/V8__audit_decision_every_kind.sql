-- Version 7 (SQLite): the decision column for every kind of record, as the writer has always
-- filled it. Version 2 filled it in only for decisions, so that observations and approval events
-- written before it had none; verify compares the column with the hashed entry.
UPDATE audit SET decision = json_extract(entry, '$.decision')
  WHERE decision IS NULL AND json_extract(entry, '$.decision') IS NOT NULL;
