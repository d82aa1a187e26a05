-- Version 4: people who use the console, and their sessions. Only hashes of passwords and session
-- ids are stored. Times are UTC text with nine fraction digits.
CREATE TABLE person (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  roles TEXT NOT NULL,
  created TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE console_session (
  id_hash TEXT PRIMARY KEY,
  person TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created TEXT NOT NULL,
  expires TEXT NOT NULL
);
CREATE INDEX console_session_person ON console_session (person);
CREATE INDEX console_session_expires ON console_session (expires);
