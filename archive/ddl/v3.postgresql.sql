-- FieldAudit archive database, schema version 3 (postgresql): from version 2, the tables of case teams
-- (case_members), of the state several archive processes share (rate_buckets, upload_locks) and of the
-- office (office_users, office_sessions, office_log, office_steps, office_conflicts, office_draws). Never edit
-- this file. Statements are separated by a line that ends in ';' followed by a blank line.

CREATE TABLE case_members (
	case_id VARCHAR(128) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	member_id VARCHAR(128) NOT NULL, 
	source VARCHAR(16) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (case_id, kind, member_id)
);

CREATE TABLE rate_buckets (
	key VARCHAR(160) NOT NULL, 
	tokens FLOAT NOT NULL, 
	updated FLOAT NOT NULL, 
	PRIMARY KEY (key)
);

CREATE TABLE upload_locks (
	upload_id VARCHAR(64) NOT NULL, 
	owner VARCHAR(32) NOT NULL, 
	until FLOAT NOT NULL, 
	PRIMARY KEY (upload_id)
);

CREATE TABLE office_users (
	id VARCHAR(64) NOT NULL, 
	login VARCHAR(64) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	inspector_id VARCHAR(128), 
	password VARCHAR(255) NOT NULL, 
	failures INTEGER NOT NULL, 
	locked_until TIMESTAMP WITHOUT TIME ZONE, 
	disabled BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (login)
);

CREATE TABLE office_sessions (
	token_sha256 VARCHAR(64) NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	csrf VARCHAR(64) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	last_seen TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (token_sha256)
);

CREATE INDEX ix_office_sessions_user_id ON office_sessions (user_id);

CREATE TABLE office_log (
	seq BIGINT NOT NULL, 
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	user_id VARCHAR(64), 
	action VARCHAR(64) NOT NULL, 
	case_id VARCHAR(128), 
	detail TEXT NOT NULL, 
	prev VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (seq)
);

CREATE INDEX ix_office_log_case_id ON office_log (case_id);

CREATE TABLE office_steps (
	id SERIAL NOT NULL, 
	case_id VARCHAR(128) NOT NULL, 
	stage VARCHAR(32) NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	statement TEXT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_office_steps_case_id ON office_steps (case_id);

CREATE TABLE office_conflicts (
	inspector_id VARCHAR(128) NOT NULL, 
	institution_id VARCHAR(128) NOT NULL, 
	reason TEXT NOT NULL, 
	declared_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (inspector_id, institution_id)
);

CREATE TABLE office_draws (
	id SERIAL NOT NULL, 
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	record TEXT NOT NULL, 
	PRIMARY KEY (id)
);
