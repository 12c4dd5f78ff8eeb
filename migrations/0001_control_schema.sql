-- my2pg control schema, version 1: what has been copied from which source, and from where the
-- binary log must be followed to continue it. Applied by my2pg itself (src/control/migrator.cpp),
-- each file in one transaction, recorded in my2pg.schema_version.
CREATE SCHEMA IF NOT EXISTS my2pg;

CREATE TABLE my2pg.schema_version (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- One row per source database copied into this PostgreSQL database.
CREATE TABLE my2pg.snapshot (
  source_database text PRIMARY KEY,
  target_schema   text NOT NULL,
  source_server   text NOT NULL,  -- host:port or socket, never credentials
  source_flavor   text NOT NULL CHECK (source_flavor IN ('mysql', 'mariadb')),
  source_version  text NOT NULL,
  binlog_file     text,           -- the binlog position the snapshot is consistent with;
  binlog_pos      bigint,         -- NULL when the source has no binary log
  gtid_set        text,
  state           text NOT NULL CHECK (state IN ('copying', 'done')),
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);

-- One row per table whose copy has committed.
CREATE TABLE my2pg.table_state (
  source_database text NOT NULL REFERENCES my2pg.snapshot ON DELETE CASCADE,
  source_table    text NOT NULL,
  target_table    text NOT NULL,
  rows_copied     bigint NOT NULL,
  bytes_copied    bigint NOT NULL,
  state           text NOT NULL CHECK (state IN ('copied')),
  copied_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_database, source_table)
);
