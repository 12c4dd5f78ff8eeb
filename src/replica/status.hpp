#pragma once
// `my2pg status`: what the target's control schema says about each replica, whether or not a
// replicate process is running: state, the three lags, positions, rates, per-table counts and
// recorded errors. With a source connection the lags are computed afresh against the source's
// current position; without one, a running replica's last report (once a second) is used.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/position.hpp"
#include "replica/monitor.hpp"

namespace my2pg::replica {

struct TableStatus {
  std::string source;  // db.table
  std::string target;  // schema.table
  std::string state;   // "copied" (and following), or "not copied"
  uint64_t rows_copied = 0;
  uint64_t inserted = 0, updated = 0, deleted = 0;  // by the running (or last) replicate
  std::string error;  // why it is paused ("paused since FILE:POS: ...")
};

struct ReplicaStatus {
  std::string source_database, target_schema, source_server;
  std::string state;     // my2pg.replica: following, stopped, failed, detached
  bool running = false;  // a replicate process holds the replica's lock
  std::string phase;     // of the running process; "not running" otherwise
  int pid = 0;
  std::string host;
  double running_since = 0, progress_updated_at = 0;  // seconds since the epoch, 0: never
  BinlogPosition applied, received, server;
  double applied_commit_time = 0, received_commit_time = 0, server_checked_at = 0;
  Lag lag;
  double lag_as_of = 0;  // when the lags were computed
  std::string lag_from;  // "replicate" (its monitor), "source" (computed now), "none"
  bool fresh = false;    // a running replicate reported within the last 5 s (server clock)
  double transactions_per_second = 0, rows_per_second = 0;
  uint64_t transactions_applied = 0, rows_applied = 0;  // all runs
  uint64_t events_received = 0, reconnects = 0;         // this run
  std::vector<TableStatus> tables;
  std::string last_error;
  uint64_t ddl_applied = 0, ddl_skipped = 0, rows_rejected = 0;
};

// Every replica in the target (or only `database`). `source_uri` (optional): read the source's
// current position and compute the lags now. Throws TargetError; a source that cannot be read
// leaves the lags as the replica last reported them, with a warning.
std::vector<ReplicaStatus> read_status(const std::string& target_uri, const std::string& database,
                                       const std::string& source_uri);

std::string status_text(const std::vector<ReplicaStatus>& replicas);
// One JSON object: {"replicas": [...]}, field names documented in README.md ("status").
std::string status_json(const std::vector<ReplicaStatus>& replicas);

}  // namespace my2pg::replica
