-- my2pg control schema, version 6: the replica. One row per source database being followed:
-- where in the source's binary log the target stands. Every transaction that applies source
-- changes updates this row in the same PostgreSQL transaction, so after any crash replication
-- resumes exactly after the last change applied.
CREATE TABLE my2pg.replica (
  source_database      text PRIMARY KEY,
  target_schema        text NOT NULL,
  source_server        text NOT NULL,   -- host:port or socket, never credentials
  source_server_id     bigint,          -- @@server_id: a different server is refused
  source_server_uuid   text,            -- @@server_uuid (MySQL)
  binlog_file          text NOT NULL,   -- the position after the last transaction applied
  binlog_pos           bigint NOT NULL,
  gtid_set             text,            -- executed up to that position (MySQL set, MariaDB list)
  last_gtid            text,            -- of the last transaction applied
  last_commit_time     timestamptz,     -- its commit time on the source
  state                text NOT NULL CHECK (state IN ('following', 'stopped', 'failed', 'detached')),
  transactions_applied bigint NOT NULL DEFAULT 0,
  rows_applied         bigint NOT NULL DEFAULT 0,
  started_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  last_error           text             -- why the last run stopped, with the position
);

-- Statements of the source that change schemas, in binlog order, with what replication did with
-- each: 'applied' (TRUNCATE), or 'skipped' (views, triggers, routines and events, which the target
-- does not follow, and unsupported DDL under --on-ddl skip). Written in the transaction that moves
-- the position past the statement, so each is recorded exactly once.
CREATE TABLE my2pg.schema_history (
  id              bigserial PRIMARY KEY,
  source_database text NOT NULL,
  binlog_file     text NOT NULL,
  binlog_pos      bigint NOT NULL,
  gtid            text,
  statement       text NOT NULL,
  action          text NOT NULL CHECK (action IN ('applied', 'skipped')),
  reason          text,
  recorded_at     timestamptz NOT NULL DEFAULT now()
);
