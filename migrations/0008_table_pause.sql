-- my2pg control schema, version 8: end-to-end lag and paused tables.

-- With --heartbeat-table: the newest heartbeat's write-to-apply delay, or how overdue the next
-- one is.
ALTER TABLE my2pg.replica_progress ADD COLUMN end_to_end_lag_seconds double precision;

-- Tables a replica has stopped applying (replicate --on-table-error pause): a value the target
-- cannot store, a target table that no longer equals the source, or a row PostgreSQL rejects.
-- Changes to them from (binlog_file, binlog_pos) on are not applied, the other tables go on;
-- `my2pg resync --table` copies one again and removes its row.
CREATE TABLE my2pg.paused_table (
  source_database text NOT NULL,
  source_table    text NOT NULL,
  paused_at       timestamptz NOT NULL DEFAULT now(),
  binlog_file     text NOT NULL,
  binlog_pos      bigint NOT NULL,
  error           text NOT NULL,
  PRIMARY KEY (source_database, source_table)
);
