#pragma once
// `my2pg resync`: copies chosen tables of a replicated database again, from one source snapshot,
// while replication goes on. With a replicate running, it is held at the snapshot's position just
// long enough for resync to lock the tables on the target; changes after that position then wait
// for the new copy and apply on top of it. With none running, the tables' copy positions are
// recorded, so the next replicate skips what the new copy already holds.
#include <cstdint>
#include <string>
#include <vector>

#include "common/position.hpp"
#include "snapshot/migrate.hpp"

namespace my2pg::replica {

struct ResyncOptions {
  std::string source_uri;
  std::string target_uri;
  snapshot::ModelOptions model;     // as the copy was made (names and types)
  std::vector<std::string> tables;  // "table" or "database.table" of the source database
};

struct ResyncReport {
  std::string source_database;
  BinlogPosition position;  // the snapshot the tables were copied from
  bool replica_running = false;
  double held_seconds = 0;  // how long the running replica was held
  struct Table {
    std::string source, target;
    uint64_t rows = 0, bytes = 0;
    double seconds = 0;
  };
  std::vector<Table> tables;
};

// Throws ConfigError (no replica, a detached one, a table that is not replicated), SourceError,
// TargetError or MappingError; on any error the target tables stay as they were.
ResyncReport run_resync(const ResyncOptions& options);

}  // namespace my2pg::replica
