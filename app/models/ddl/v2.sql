-- FieldAudit laptop store, schema version 2: the drafts of step pages (typed, unsigned; app.workflow.drafts).
-- Never edit this file. Statements are separated by a line that ends in ';' followed by a blank line.

CREATE TABLE drafts (
	case_id VARCHAR(36) NOT NULL, 
	page VARCHAR(32) NOT NULL, 
	body TEXT NOT NULL, 
	updated VARCHAR(32) NOT NULL, 
	PRIMARY KEY (case_id, page)
);
