-- my2pg control schema, version 4: the binlog position each table was copied at. A copy resumed
-- after a crash copies its remaining tables from a new snapshot, so tables can differ; the
-- snapshot row keeps the earliest position, and replication applies a table's changes only from
-- its own position on.
ALTER TABLE my2pg.table_state
  ADD COLUMN binlog_file text,
  ADD COLUMN binlog_pos  bigint,
  ADD COLUMN gtid_set    text;
