-- FieldAudit laptop store, schema version 1 (release 0.1.0): the DDL that version 1 ran, frozen.
-- Never edit this file: a store created by release 0.1.0 holds exactly these tables, indexes and triggers.
-- A later schema is a new file vN.sql holding only the change from version N-1 (app/models/migrations.py).
-- Statements are separated by a line that ends in ';' followed by a blank line.

CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE devices (
	id VARCHAR(36) NOT NULL, 
	label VARCHAR(200) NOT NULL, 
	public_key BLOB NOT NULL, 
	private_key BLOB, 
	created VARCHAR(32) NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE inspectors (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	credential_no VARCHAR(64) NOT NULL, 
	organisation VARCHAR(200) NOT NULL, 
	suite VARCHAR(32) NOT NULL, 
	public_key BLOB NOT NULL, 
	wrapped_private_key TEXT, 
	local BOOLEAN NOT NULL, 
	revoked BOOLEAN NOT NULL, 
	created VARCHAR(32) NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE institutions (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	uscc VARCHAR(18), 
	address VARCHAR(300) NOT NULL, 
	legal_rep VARCHAR(100) NOT NULL, 
	phone VARCHAR(40) NOT NULL, 
	level VARCHAR(40) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uscc)
);

CREATE INDEX ix_institutions_name ON institutions (name);

CREATE TABLE people (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	id_number VARCHAR(18), 
	sex VARCHAR(8) NOT NULL, 
	birth_date VARCHAR(10) NOT NULL, 
	employer VARCHAR(200) NOT NULL, 
	post VARCHAR(100) NOT NULL, 
	phone VARCHAR(40) NOT NULL, 
	address VARCHAR(300) NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE checklist_templates (
	id VARCHAR(64) NOT NULL, 
	version INTEGER NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	source VARCHAR(300) NOT NULL, 
	body TEXT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE blobs (
	sha256 VARCHAR(64) NOT NULL, 
	size INTEGER NOT NULL, 
	file_name VARCHAR(80) NOT NULL, 
	chunk_size INTEGER NOT NULL, 
	created VARCHAR(32) NOT NULL, 
	archived BOOLEAN NOT NULL, 
	PRIMARY KEY (sha256), 
	UNIQUE (file_name)
);

CREATE TABLE journal (
	log_id VARCHAR(36) NOT NULL, 
	seq INTEGER NOT NULL, 
	type VARCHAR(48) NOT NULL, 
	leaf BLOB NOT NULL, 
	leaf_hash BLOB NOT NULL, 
	payload_sha256 VARCHAR(64) NOT NULL, 
	archived BOOLEAN NOT NULL, 
	PRIMARY KEY (log_id, seq)
);

CREATE TABLE payloads (
	sha256 VARCHAR(64) NOT NULL, 
	body BLOB NOT NULL, 
	PRIMARY KEY (sha256)
);

CREATE TABLE checkpoints (
	log_id VARCHAR(36) NOT NULL, 
	size INTEGER NOT NULL, 
	root VARCHAR(64) NOT NULL, 
	body BLOB NOT NULL, 
	signature BLOB NOT NULL, 
	created VARCHAR(32) NOT NULL, 
	PRIMARY KEY (log_id, size), 
	UNIQUE (log_id, size)
);

CREATE TABLE sync_state (
	"key" VARCHAR(200) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE cases (
	id VARCHAR(36) NOT NULL, 
	doc_no VARCHAR(64) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	form VARCHAR(16) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	institution_id VARCHAR(36) NOT NULL, 
	period_from VARCHAR(10) NOT NULL, 
	period_to VARCHAR(10) NOT NULL, 
	matters TEXT NOT NULL, 
	basis TEXT NOT NULL, 
	checklist_template_id VARCHAR(64), 
	planned_date VARCHAR(10) NOT NULL, 
	notice_served_on VARCHAR(10), 
	unannounced BOOLEAN NOT NULL, 
	unannounced_reason TEXT NOT NULL, 
	place VARCHAR(300) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	step VARCHAR(32) NOT NULL, 
	data TEXT NOT NULL, 
	origin VARCHAR(16) NOT NULL, 
	created VARCHAR(32) NOT NULL, 
	closed VARCHAR(32), 
	PRIMARY KEY (id), 
	FOREIGN KEY(institution_id) REFERENCES institutions (id)
);

CREATE INDEX ix_cases_status ON cases (status);

CREATE TABLE case_inspectors (
	case_id VARCHAR(36) NOT NULL, 
	inspector_id VARCHAR(36) NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (case_id, inspector_id), 
	FOREIGN KEY(case_id) REFERENCES cases (id), 
	FOREIGN KEY(inspector_id) REFERENCES inspectors (id)
);

CREATE TABLE checklist_entries (
	id VARCHAR(36) NOT NULL, 
	case_id VARCHAR(36) NOT NULL, 
	template_item_id VARCHAR(64) NOT NULL, 
	position INTEGER NOT NULL, 
	category VARCHAR(200) NOT NULL, 
	title TEXT NOT NULL, 
	requirements TEXT NOT NULL, 
	finding VARCHAR(16), 
	note TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(case_id) REFERENCES cases (id)
);

CREATE INDEX ix_checklist_entries_case_id ON checklist_entries (case_id);

CREATE TABLE signed_objects (
	id VARCHAR(36) NOT NULL, 
	case_id VARCHAR(36) NOT NULL, 
	type VARCHAR(32) NOT NULL, 
	target_id VARCHAR(36), 
	sha256 VARCHAR(64) NOT NULL, 
	body BLOB NOT NULL, 
	signatures BLOB NOT NULL, 
	created VARCHAR(32) NOT NULL, 
	archived BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(case_id) REFERENCES cases (id), 
	UNIQUE (sha256)
);

CREATE INDEX ix_signed_objects_target_id ON signed_objects (target_id);

CREATE INDEX ix_signed_objects_type ON signed_objects (type);

CREATE INDEX ix_signed_objects_case_id ON signed_objects (case_id);

CREATE TABLE findings (
	id VARCHAR(36) NOT NULL, 
	case_id VARCHAR(36) NOT NULL, 
	violation_code VARCHAR(64) NOT NULL, 
	description TEXT NOT NULL, 
	basis TEXT NOT NULL, 
	amount_fen INTEGER NOT NULL, 
	responsible TEXT NOT NULL, 
	evidence_ids TEXT NOT NULL, 
	created VARCHAR(32) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(case_id) REFERENCES cases (id)
);

CREATE INDEX ix_findings_case_id ON findings (case_id);

CREATE TABLE measures (
	id VARCHAR(36) NOT NULL, 
	case_id VARCHAR(36) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	items TEXT NOT NULL, 
	approved_by VARCHAR(200) NOT NULL, 
	approved_on VARCHAR(10) NOT NULL, 
	start_date VARCHAR(10) NOT NULL, 
	period_days INTEGER NOT NULL, 
	extended_days INTEGER NOT NULL, 
	storage_place VARCHAR(300) NOT NULL, 
	reason TEXT NOT NULL, 
	created VARCHAR(32) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(case_id) REFERENCES cases (id)
);

CREATE INDEX ix_measures_case_id ON measures (case_id);

CREATE TABLE deadlines (
	id VARCHAR(36) NOT NULL, 
	case_id VARCHAR(36) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	due VARCHAR(10) NOT NULL, 
	basis VARCHAR(200) NOT NULL, 
	done VARCHAR(32), 
	PRIMARY KEY (id), 
	FOREIGN KEY(case_id) REFERENCES cases (id)
);

CREATE INDEX ix_deadlines_case_id ON deadlines (case_id);

CREATE INDEX ix_deadlines_due ON deadlines (due);

CREATE TABLE evidence_items (
	id VARCHAR(36) NOT NULL, 
	case_id VARCHAR(36) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	measure VARCHAR(32) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	manifest_id VARCHAR(36) NOT NULL, 
	parent_id VARCHAR(36), 
	supersedes_id VARCHAR(36), 
	checklist_entry_id VARCHAR(36), 
	finding_id VARCHAR(36), 
	thumbnail_sha256 VARCHAR(64), 
	obtained_at VARCHAR(32) NOT NULL, 
	created VARCHAR(32) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(case_id) REFERENCES cases (id), 
	UNIQUE (manifest_id), 
	FOREIGN KEY(manifest_id) REFERENCES signed_objects (id)
);

CREATE INDEX ix_evidence_items_case_id ON evidence_items (case_id);

CREATE INDEX ix_evidence_case_kind ON evidence_items (case_id, kind);

CREATE TRIGGER signed_objects_no_update BEFORE UPDATE OF id, case_id, type, target_id, sha256, body, signatures, created ON signed_objects BEGIN SELECT RAISE(ABORT, 'fieldaudit: signed_objects rows are immutable'); END;

CREATE TRIGGER signed_objects_no_delete BEFORE DELETE ON signed_objects BEGIN SELECT RAISE(ABORT, 'fieldaudit: signed_objects rows are append-only'); END;

CREATE TRIGGER journal_no_update BEFORE UPDATE OF log_id, seq, type, leaf, leaf_hash, payload_sha256 ON journal BEGIN SELECT RAISE(ABORT, 'fieldaudit: journal rows are immutable'); END;

CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'fieldaudit: journal rows are append-only'); END;

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE OF log_id, size, root, body, signature, created ON checkpoints BEGIN SELECT RAISE(ABORT, 'fieldaudit: checkpoints rows are immutable'); END;

CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'fieldaudit: checkpoints rows are append-only'); END;

CREATE TRIGGER payloads_no_update BEFORE UPDATE OF sha256, body ON payloads BEGIN SELECT RAISE(ABORT, 'fieldaudit: payloads rows are immutable'); END;

CREATE TRIGGER payloads_no_delete BEFORE DELETE ON payloads BEGIN SELECT RAISE(ABORT, 'fieldaudit: payloads rows are append-only'); END;

CREATE TRIGGER blobs_no_update BEFORE UPDATE OF sha256, size, file_name, chunk_size, created ON blobs BEGIN SELECT RAISE(ABORT, 'fieldaudit: blobs rows are immutable'); END;

CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs BEGIN SELECT RAISE(ABORT, 'fieldaudit: blobs rows are append-only'); END;

CREATE TRIGGER evidence_items_no_update BEFORE UPDATE OF id, case_id, kind, measure, title, manifest_id, parent_id, supersedes_id, checklist_entry_id, finding_id, obtained_at, created ON evidence_items BEGIN SELECT RAISE(ABORT, 'fieldaudit: evidence_items rows are immutable'); END;

CREATE TRIGGER evidence_items_no_delete BEFORE DELETE ON evidence_items BEGIN SELECT RAISE(ABORT, 'fieldaudit: evidence_items rows are append-only'); END;
