-- FieldAudit archive database, schema version 1 (postgresql): the DDL that version 1 ran, frozen.
-- Compiled from archive/db.py as of commit d11baa2^ (the last schema-1 revision). Never edit this file; a later
-- schema is a new file archive/ddl/vN.postgresql.sql holding only the change from version N-1 (archive/db.py MIGRATIONS).
-- Statements are separated by a line that ends in ';' followed by a blank line.

CREATE TABLE alerts (
	id SERIAL NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	device_id VARCHAR(128), 
	case_id VARCHAR(128), 
	object_id VARCHAR(128), 
	detail TEXT NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE blobs (
	sha256 VARCHAR(64) NOT NULL, 
	size BIGINT NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (sha256)
);

CREATE TABLE case_fields (
	case_id VARCHAR(128) NOT NULL, 
	field VARCHAR(128) NOT NULL, 
	value TEXT NOT NULL, 
	device_id VARCHAR(128) NOT NULL, 
	object_sha256 VARCHAR(64) NOT NULL, 
	PRIMARY KEY (case_id, field)
);

CREATE TABLE cases (
	id VARCHAR(128) NOT NULL, 
	source VARCHAR(16) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE checkpoints (
	case_id VARCHAR(128) NOT NULL, 
	device_id VARCHAR(128) NOT NULL, 
	size BIGINT NOT NULL, 
	root VARCHAR(64) NOT NULL, 
	checkpoint TEXT NOT NULL, 
	receipt TEXT NOT NULL, 
	skew_s BIGINT, 
	PRIMARY KEY (case_id, device_id, size)
);

CREATE TABLE conflicts (
	id SERIAL NOT NULL, 
	case_id VARCHAR(128) NOT NULL, 
	field VARCHAR(128) NOT NULL, 
	base TEXT NOT NULL, 
	value_a TEXT NOT NULL, 
	device_a VARCHAR(128) NOT NULL, 
	value_b TEXT NOT NULL, 
	device_b VARCHAR(128) NOT NULL, 
	object_b VARCHAR(64) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (object_b, device_b)
);

CREATE INDEX ix_conflicts_case_id ON conflicts (case_id);

CREATE TABLE counters (
	name VARCHAR(32) NOT NULL, 
	value BIGINT NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE devices (
	id VARCHAR(128) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	public_key VARCHAR(128) NOT NULL, 
	suite VARCHAR(32) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	revoked_at TIMESTAMP WITHOUT TIME ZONE, 
	version BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (public_key)
);

CREATE INDEX ix_devices_version ON devices (version);

CREATE TABLE enrolment_codes (
	code_hash VARCHAR(64) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	used_at TIMESTAMP WITHOUT TIME ZONE, 
	used_by VARCHAR(128), 
	PRIMARY KEY (code_hash)
);

CREATE TABLE inspectors (
	id VARCHAR(128) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	credential_no VARCHAR(64) NOT NULL, 
	organisation VARCHAR(200) NOT NULL, 
	public_key VARCHAR(128) NOT NULL, 
	suite VARCHAR(32) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	revoked_at TIMESTAMP WITHOUT TIME ZONE, 
	version BIGINT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_inspectors_version ON inspectors (version);

CREATE TABLE leaves (
	case_id VARCHAR(128) NOT NULL, 
	device_id VARCHAR(128) NOT NULL, 
	seq BIGINT NOT NULL, 
	leaf_hash VARCHAR(64) NOT NULL, 
	leaf TEXT NOT NULL, 
	PRIMARY KEY (case_id, device_id, seq)
);

CREATE INDEX ix_leaves_leaf_hash ON leaves (leaf_hash);

CREATE TABLE log_heads (
	case_id VARCHAR(128) NOT NULL, 
	device_id VARCHAR(128) NOT NULL, 
	size BIGINT NOT NULL, 
	root VARCHAR(64) NOT NULL, 
	PRIMARY KEY (case_id, device_id)
);

CREATE TABLE meta (
	key VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY (key)
);

CREATE TABLE nonces (
	device_id VARCHAR(128) NOT NULL, 
	nonce VARCHAR(64) NOT NULL, 
	seen_at BIGINT NOT NULL, 
	PRIMARY KEY (device_id, nonce)
);

CREATE INDEX ix_nonces_seen_at ON nonces (seen_at);

CREATE TABLE objects (
	sha256 VARCHAR(64) NOT NULL, 
	object_key VARCHAR(200), 
	kind VARCHAR(64) NOT NULL, 
	case_id VARCHAR(128) NOT NULL, 
	device_id VARCHAR(128) NOT NULL, 
	body TEXT NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (sha256), 
	UNIQUE (object_key)
);

CREATE INDEX ix_objects_case_id ON objects (case_id);

CREATE TABLE pull_items (
	seq SERIAL NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	item_id VARCHAR(128) NOT NULL, 
	payload TEXT NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (seq)
);

CREATE INDEX ix_pull_items_kind ON pull_items (kind);

CREATE TABLE uploads (
	id VARCHAR(64) NOT NULL, 
	device_id VARCHAR(128) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	length BIGINT NOT NULL, 
	"offset" BIGINT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	reason VARCHAR(64), 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (device_id, sha256)
);

CREATE INDEX ix_uploads_updated_at ON uploads (updated_at);

CREATE TABLE device_inspectors (
	device_id VARCHAR(128) NOT NULL, 
	inspector_id VARCHAR(128) NOT NULL, 
	PRIMARY KEY (device_id, inspector_id), 
	FOREIGN KEY(device_id) REFERENCES devices (id), 
	FOREIGN KEY(inspector_id) REFERENCES inspectors (id)
);

CREATE TABLE object_blobs (
	object_sha256 VARCHAR(64) NOT NULL, 
	blob_sha256 VARCHAR(64) NOT NULL, 
	PRIMARY KEY (object_sha256, blob_sha256), 
	FOREIGN KEY(object_sha256) REFERENCES objects (sha256), 
	FOREIGN KEY(blob_sha256) REFERENCES blobs (sha256)
);
