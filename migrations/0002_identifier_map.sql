-- my2pg control schema, version 2: source names that PostgreSQL got under another name (renamed
-- schemas, folded case, names over 63 bytes shortened), so that the replica, verify and people
-- can find a source object's target.
CREATE TABLE my2pg.identifier_map (
  source_database text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('schema', 'table', 'column', 'object')),
  source_table    text NOT NULL DEFAULT '',  -- for columns: the table they belong to
  source_name     text NOT NULL,
  target_name     text NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_database, kind, source_table, source_name)
);
