-- FieldAudit archive database, schema version 2 (sqlite): from version 1, a field conflict is keyed by the journal
-- leaf that caused it. ``conflicts`` is rebuilt (SQLite cannot drop a constraint in place); every row is kept, with
-- no leaf. Never edit this file. Statements are separated by a line that ends in ';' followed by a blank line.

ALTER TABLE conflicts RENAME TO conflicts_v1;

DROP INDEX IF EXISTS ix_conflicts_case_id;

CREATE TABLE conflicts (
	id INTEGER NOT NULL, 
	case_id VARCHAR(128) NOT NULL, 
	field VARCHAR(128) NOT NULL, 
	base TEXT NOT NULL, 
	value_a TEXT NOT NULL, 
	device_a VARCHAR(128) NOT NULL, 
	value_b TEXT NOT NULL, 
	device_b VARCHAR(128) NOT NULL, 
	object_b VARCHAR(64) NOT NULL, 
	leaf_b INTEGER, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (case_id, device_b, leaf_b)
);

CREATE INDEX ix_conflicts_case_id ON conflicts (case_id);

INSERT INTO conflicts (id, case_id, field, base, value_a, device_a, value_b, device_b, object_b, created_at) SELECT id, case_id, field, base, value_a, device_a, value_b, device_b, object_b, created_at FROM conflicts_v1;

DROP TABLE conflicts_v1;
