-- Version 10: every flagged value of a session's request and task is stored masked (mail addresses
-- and phone numbers as tokens with a keyed fingerprint). Rows written before hold some in clear:
-- `masked` = 0 marks them, and the engine masks them again when it starts (SessionStore.unmasked).
ALTER TABLE session ADD COLUMN masked INTEGER NOT NULL DEFAULT 0;
