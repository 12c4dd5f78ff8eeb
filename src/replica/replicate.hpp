#pragma once
// `my2pg replicate`: follows the source's binary log from where the target stands and applies
// every committed change, whole source transactions in commit order, exactly once: each
// PostgreSQL transaction that applies changes also moves the position in my2pg.replica.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/position.hpp"
#include "snapshot/migrate.hpp"

namespace my2pg::monitor {
class Registry;
}
namespace my2pg::pg {
class Connection;
}

namespace my2pg::replica {

enum class Until {
  never,      // follow until stopped (SIGTERM/SIGINT)
  caught_up,  // stop once everything the server had logged at start is applied
  position,   // stop once everything before `until_position` is applied
};

struct ReplicateOptions {
  std::string source_uri;
  std::string target_uri;
  snapshot::ModelOptions model;  // as the copy was made
  // A target loaded some other way: start here instead of at the copy's position.
  std::optional<BinlogPosition> from;  // file and position
  std::string from_gtid;               // MariaDB GTID list
  Until until = Until::never;
  BinlogPosition until_position;
  // A batch (one PostgreSQL transaction of whole source transactions) closes at whichever
  // comes first: this many row changes, this many bytes held, this age, or nothing more to read.
  uint64_t batch_rows = 50000;
  uint64_t batch_bytes = uint64_t{64} << 20;
  double batch_seconds = 0.5;
  // Run when the target holds no finished copy yet (the migration, with the same options).
  std::function<void()> migrate_first;
  // DDL my2pg cannot replicate: stop before it (default), or record it in my2pg.schema_history
  // as skipped and go on.
  bool skip_unsupported_ddl = false;
  // Set from a signal handler: finish the transaction in flight, commit, return.
  const std::atomic<bool>* stop = nullptr;
  // Nothing from the source, not even a heartbeat (sent every second when idle), for this long:
  // the link is dead, reconnect.
  double source_timeout = 30;
  // "database.table" on the source, created if missing and written every second by the
  // monitor; the time from a write there to its position being applied is the end-to-end lag.
  // In a database of its own: its rows are never applied to the target.
  std::string heartbeat_table;
  // Where the replica's counters, histograms and lag gauges go (--metrics-listen), if anywhere.
  monitor::Registry* metrics = nullptr;
  // A table's error (a value it cannot store, a target table that no longer equals the source):
  // stop (false, the default), or pause that table, recorded in my2pg.paused_table, and go on
  // with the others (true).
  bool pause_failing_tables = false;
  // The longest my2pg verify may hold the replica at one position (see ReplicaHold).
  double hold_limit_seconds = 60;
  // A passing conflict on the target (deadlock, serialization failure, lock or statement
  // timeout) met by one source transaction: tried again this many times in a row, with the
  // reconnect backoff between tries, before the run stops.
  int conflict_retries = 10;
  // Reconnect backoff: first and longest wait, in seconds.
  double reconnect_initial = 0.5, reconnect_max = 30;
};

struct ReplicateReport {
  BinlogPosition position;  // after the last transaction applied
  uint64_t transactions = 0;
  uint64_t row_changes = 0;
  uint64_t reconnects = 0;         // to the source
  uint64_t target_reconnects = 0;  // times the target was lost while following
  double seconds = 0;
  bool caught_up = false;  // --until reached
  bool detached = false;   // cutover detached the replica while it ran
};

// The lock one replicate per source database holds on the target (pg_try_advisory_lock on
// hashtext('my2pg replicate ' || database)); resync takes it when no replicate runs. False when
// another session holds it.
bool try_replica_lock(pg::Connection& tgt, const std::string& database);

// Throws ConfigError, SourceError, TargetError, MappingError, DecodeError or MismatchError (the
// target no longer equals the source) naming what and where; the position stays after the last
// transaction committed, and my2pg.replica.last_error says why the run stopped.
ReplicateReport run_replicate(const ReplicateOptions& options);

}  // namespace my2pg::replica
