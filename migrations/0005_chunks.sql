-- my2pg control schema, version 5: tables are copied in chunks (ranges of the first primary-key
-- column, or the whole table), each chunk in its own transaction with its row here, so that a
-- copy killed at any moment resumes from the last committed chunk. `digest` is the
-- order-independent digest of the rows as sent (verification compares the target against it).
-- A resumed copy must be made with the same options from the same source schema: the snapshot
-- row keeps a fingerprint of both.
CREATE TABLE my2pg.chunk_state (
  source_database text NOT NULL REFERENCES my2pg.snapshot ON DELETE CASCADE,
  source_table    text NOT NULL,
  chunk_no        integer NOT NULL,
  key_column      text,             -- the source column the range is over; NULL: whole table
  lower_bound     text,             -- exclusive; NULL: from the start
  upper_bound     text,             -- inclusive; NULL: to the end
  state           text NOT NULL CHECK (state IN ('pending', 'copied')),
  rows_copied     bigint,
  bytes_copied    bigint,
  digest          text,             -- of the rows sent
  rejected_digest text,             -- of the rows set aside (--on-error skip-row), as read
  binlog_file     text,
  binlog_pos      bigint,
  gtid_set        text,
  copied_at       timestamptz,
  PRIMARY KEY (source_database, source_table, chunk_no)
);

-- The chunk a set-aside row was read in, so that a chunk copied again takes its rejects along.
ALTER TABLE my2pg.rejects ADD COLUMN chunk_no integer;

ALTER TABLE my2pg.snapshot ADD COLUMN fingerprint text;
