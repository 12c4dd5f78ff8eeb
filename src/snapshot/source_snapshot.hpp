#pragma once
// A consistent read view of the source and the binlog position it corresponds to, so that
// replication can later start exactly where the copy ends.
#include <vector>

#include "common/position.hpp"
#include "mysql/connection.hpp"

namespace my2pg::snapshot {

// The server's current end of binlog (SHOW BINARY LOG STATUS, or SHOW MASTER STATUS where that
// is missing): file, position, and on MySQL the executed GTID set. Unknown without a binlog.
BinlogPosition current_binlog_position(mysql::Connection& conn);

// Starts a REPEATABLE READ consistent-snapshot transaction on `conn` (session time zone UTC, so
// TIMESTAMP values read as UTC) and returns the position it is consistent with.
//  - MariaDB reports the snapshot's binlog position itself (binlog_snapshot_file/_position), so
//    no lock is taken.
//  - MySQL has no such status: FLUSH TABLES WITH READ LOCK is held only while the transaction
//    starts and the position is read, and its duration is logged.
BinlogPosition start_consistent_snapshot(mysql::Connection& conn);

// The same for several connections that must read one and the same view (parallel copy): a
// global read lock (FLUSH TABLES WITH READ LOCK, which needs the RELOAD privilege) is held while
// every connection starts its transaction and the position is read, then released; its duration
// is logged.
BinlogPosition start_shared_snapshot(const std::vector<mysql::Connection*>& conns);

}  // namespace my2pg::snapshot
