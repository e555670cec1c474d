-- FieldAudit archive database, schema version 4 (postgresql): from version 3, each office user's own Ed25519
-- signing key (office_users.sign_public, and sign_private sealed under a key derived from their password) and
-- a session's copy of it (office_sessions.sign_key, sealed under a key derived from the session token the
-- database never holds). Never edit this file. Statements are separated by a line that ends in ';' followed by a
-- blank line.

ALTER TABLE office_users ADD COLUMN sign_public VARCHAR(64);

ALTER TABLE office_users ADD COLUMN sign_private TEXT;

ALTER TABLE office_sessions ADD COLUMN sign_key TEXT;
