-- my2pg control schema, version 9: the replica's tracked table definitions.

-- The source's table definitions as the replica tracks them through the binary log's schema
-- statements: one CREATE TABLE (MySQL's dialect, written by my2pg) per replicated table, valid
-- from the replica's position in my2pg.replica. Written in the same transaction as the schema
-- change it follows, and read when replicate starts, so that row events are decoded and applied
-- with the definition in force at their position, not with the source's current catalog.
CREATE TABLE my2pg.source_table (
  source_database text        NOT NULL,
  source_table    text        NOT NULL,
  definition      text        NOT NULL,
  binlog_file     text,                  -- the statement it follows (NULL: the first catalog)
  binlog_pos      bigint,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_database, source_table)
);

-- What a replicated schema change ran on the target.
ALTER TABLE my2pg.schema_history ADD COLUMN target_sql text;
