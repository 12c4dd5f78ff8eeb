-- my2pg control schema, version 7: a running replica's progress and lag, one row per source
-- database. The monitor of `my2pg replicate` rewrites it once a second on its own connection
-- (never inside the transactions that apply changes), so it reads as of `updated_at`; the
-- applied position that counts after a crash stays the one in my2pg.replica.
CREATE TABLE my2pg.replica_progress (
  source_database           text PRIMARY KEY,
  pid                       integer NOT NULL,          -- of the my2pg process
  host                      text NOT NULL,
  running_since             timestamptz NOT NULL,
  updated_at                timestamptz NOT NULL,
  phase                     text NOT NULL,             -- starting, copying, following, reconnecting, stopped
  received_file             text,                      -- end of the newest event read
  received_pos              bigint,
  received_commit_time      timestamptz,               -- newest commit time read
  applied_file              text,                      -- everything before it is applied
  applied_pos               bigint,
  applied_gtid_set          text,
  applied_commit_time       timestamptz,
  server_file               text,                      -- the source's current position
  server_pos                bigint,
  server_gtid_set           text,
  server_checked_at         timestamptz,               -- when it was read
  source_lag_seconds        double precision,          -- NULL: unknown (source unreachable)
  apply_lag_seconds         double precision,
  position_lag_bytes        bigint,
  position_lag_transactions bigint,                    -- NULL without GTIDs
  transactions_per_second   double precision,          -- over the last 10 seconds
  rows_per_second           double precision,
  events_received           bigint NOT NULL DEFAULT 0, -- this run
  transactions_applied      bigint NOT NULL DEFAULT 0, -- this run
  rows_applied              bigint NOT NULL DEFAULT 0, -- this run
  reconnects                bigint NOT NULL DEFAULT 0, -- this run
  tables                    jsonb NOT NULL DEFAULT '{}' -- "db.t": {"inserted": n, "updated": n, "deleted": n}, this run
);

-- A request to hold a running replica at one source position, so that `my2pg verify` can read
-- both sides as of that same position while replication runs. verify inserts it ('requested');
-- the replica finishes its batch and pauses ('paused', at paused_file:pos); verify opens its
-- source snapshot and asks to advance to that snapshot's position ('advancing'); the replica
-- applies exactly up to it ('reached'); verify takes its target snapshot and deletes the row,
-- and the replica goes on. A request older than a minute is abandoned and removed.
CREATE TABLE my2pg.replica_hold (
  source_database text PRIMARY KEY,
  state           text NOT NULL CHECK (state IN ('requested', 'paused', 'advancing', 'reached')),
  requested_at    timestamptz NOT NULL DEFAULT now(),
  target_file     text,
  target_pos      bigint,
  paused_file     text,
  paused_pos      bigint,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Every cutover that ran (not --dry-run): its report as `my2pg cutover --report` writes it, with
-- the plan, the timeline, the final position, the write downtime and the verdict.
CREATE TABLE my2pg.cutover (
  id              bigserial PRIMARY KEY,
  source_database text NOT NULL,
  finished_at     timestamptz NOT NULL DEFAULT now(),
  equal           boolean NOT NULL,
  report          jsonb NOT NULL
);
