-- my2pg control schema, version 3: source rows a migration set aside (--on-error skip-row)
-- because a value could not be stored, with where they are and why. Written in the transaction
-- that copies their table, so a table is never half-accounted for.
CREATE TABLE my2pg.rejects (
  id              bigserial PRIMARY KEY,
  source_database text NOT NULL,
  source_table    text NOT NULL,
  row_key         text NOT NULL,  -- "id=7", or "row 12 (no primary key)"
  column_name     text NOT NULL,
  value_excerpt   text NOT NULL,  -- quoted, or X'..' hex when not printable
  reason          text NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON my2pg.rejects (source_database, source_table);
