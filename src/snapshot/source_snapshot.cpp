#include "snapshot/source_snapshot.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "common/error.hpp"

namespace my2pg::snapshot {
namespace {

std::string value_of(const RowSet& status, std::string_view name) {
  for (const auto& row : status.rows) {
    if (row.at(0) == name && row.at(1)) return *row.at(1);
  }
  return {};
}

// The binlog file and offset of the consistent snapshot `conn` has just started (MariaDB).
BinlogPosition mariadb_snapshot_offset(mysql::Connection& conn) {
  const RowSet status = conn.query("SHOW STATUS LIKE 'binlog_snapshot_%'");
  BinlogPosition pos;
  pos.file = value_of(status, "Binlog_snapshot_file");
  if (pos.known()) pos.pos = std::stoull(value_of(status, "Binlog_snapshot_position"));
  return pos;
}

// The GTID position of a file and offset. MariaDB works it out by reading the binlog file up to
// the offset (half a second near the end of a 1 GB file), so it runs after any lock is released.
void add_mariadb_gtid(mysql::Connection& conn, BinlogPosition& pos) {
  if (!pos.known()) return;
  const RowSet gtid = conn.query("SELECT BINLOG_GTID_POS(" + conn.quote(pos.file) + ", " +
                                 std::to_string(pos.pos) + ")");
  if (gtid.rows.at(0).at(0)) pos.gtid_set = *gtid.rows.at(0).at(0);
}

}  // namespace

BinlogPosition current_binlog_position(mysql::Connection& conn) {
  BinlogPosition pos;
  RowSet status;
  try {
    status = conn.query("SHOW BINARY LOG STATUS");  // MySQL 8.2 and later
  } catch (const SourceError&) {
    status = conn.query("SHOW MASTER STATUS");  // MariaDB, MySQL 5.7 to 8.1
  }
  if (!status.rows.empty()) {
    const auto& row = status.rows.front();
    pos.file = row.at(status.column_index("File")).value_or("");
    pos.pos = std::stoull(row.at(status.column_index("Position")).value_or("0"));
    for (size_t i = 0; i < status.columns.size(); ++i) {  // MySQL only
      if (status.columns[i] == "Executed_Gtid_Set") pos.gtid_set = row.at(i).value_or("");
    }
  }
  return pos;
}

namespace {

// Starts a consistent-snapshot transaction on every connection under one global read lock,
// taken and released on the first, and reads the position they are all consistent with.
BinlogPosition locked_snapshots(const std::vector<mysql::Connection*>& conns) {
  mysql::Connection& first = *conns.front();
  // The lock waits for running statements to finish while it blocks every write: give up
  // after a few seconds rather than stall the source behind a long query.
  first.execute("SET SESSION lock_wait_timeout = 10");
  const auto locked_at = std::chrono::steady_clock::now();
  try {
    first.execute("FLUSH TABLES WITH READ LOCK");
  } catch (const SourceError& e) {
    throw SourceError(std::string(e.what()) +
                      "; the global read lock that starts the snapshot waited for running "
                      "statements (a long query on the source?): retry when they are done" +
                      (first.flavor() == mysql::Flavor::mariadb
                           ? ", or copy with --jobs 1, which needs no lock on MariaDB"
                           : ""));
  }
  BinlogPosition pos;
  try {
    for (mysql::Connection* c : conns)
      c->execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    if (first.flavor() == mysql::Flavor::mariadb) {
      pos = mariadb_snapshot_offset(first);
    } else {
      pos = current_binlog_position(first);
    }
  } catch (...) {
    first.execute("UNLOCK TABLES");
    throw;
  }
  first.execute("UNLOCK TABLES");
  const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - locked_at);
  first.execute("SET SESSION lock_wait_timeout = DEFAULT");
  spdlog::info(
      "global read lock held for {} ms to start {} snapshot transaction(s) and read "
      "their position",
      held.count(), conns.size());
  if (first.flavor() == mysql::Flavor::mariadb) add_mariadb_gtid(first, pos);
  return pos;
}

void prepare_session(mysql::Connection& conn) {
  conn.execute("SET SESSION time_zone = '+00:00'");
  conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
}

void warn_without_binlog(const BinlogPosition& pos) {
  if (!pos.known()) {
    spdlog::warn(
        "the source's binary log is off: this copy cannot be continued by replication "
        "(start the server with log_bin to make that possible)");
  }
}

}  // namespace

BinlogPosition start_consistent_snapshot(mysql::Connection& conn) {
  prepare_session(conn);
  BinlogPosition pos;
  if (conn.flavor() == mysql::Flavor::mariadb) {
    // MariaDB reports the position of a consistent snapshot itself: no lock needed.
    conn.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    pos = mariadb_snapshot_offset(conn);
    add_mariadb_gtid(conn, pos);
  } else {
    pos = locked_snapshots({&conn});
  }
  warn_without_binlog(pos);
  return pos;
}

BinlogPosition start_shared_snapshot(const std::vector<mysql::Connection*>& conns) {
  if (conns.size() == 1) return start_consistent_snapshot(*conns.front());
  for (mysql::Connection* c : conns) prepare_session(*c);
  BinlogPosition pos = locked_snapshots(conns);
  warn_without_binlog(pos);
  return pos;
}

}  // namespace my2pg::snapshot
