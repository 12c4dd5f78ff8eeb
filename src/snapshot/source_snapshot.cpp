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

BinlogPosition mariadb_position(mysql::Connection& conn) {
  conn.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  const RowSet status = conn.query("SHOW STATUS LIKE 'binlog_snapshot_%'");
  BinlogPosition pos;
  pos.file = value_of(status, "Binlog_snapshot_file");
  if (!pos.known()) return pos;
  pos.pos = std::stoull(value_of(status, "Binlog_snapshot_position"));
  const RowSet gtid = conn.query("SELECT BINLOG_GTID_POS(" + conn.quote(pos.file) + ", " +
                                 std::to_string(pos.pos) + ")");
  if (gtid.rows.at(0).at(0)) pos.gtid_set = *gtid.rows.at(0).at(0);
  return pos;
}

BinlogPosition mysql_position(mysql::Connection& conn) {
  const auto locked_at = std::chrono::steady_clock::now();
  conn.execute("FLUSH TABLES WITH READ LOCK");
  BinlogPosition pos;
  try {
    conn.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    RowSet status;
    try {
      status = conn.query("SHOW BINARY LOG STATUS");  // MySQL 8.2 and later
    } catch (const SourceError&) {
      status = conn.query("SHOW MASTER STATUS");  // MySQL 5.7 to 8.1
    }
    if (!status.rows.empty()) {
      const auto& row = status.rows.front();
      pos.file = row.at(status.column_index("File")).value_or("");
      pos.pos = std::stoull(row.at(status.column_index("Position")).value_or("0"));
      pos.gtid_set = row.at(status.column_index("Executed_Gtid_Set")).value_or("");
    }
  } catch (...) {
    conn.execute("UNLOCK TABLES");
    throw;
  }
  conn.execute("UNLOCK TABLES");
  const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - locked_at);
  spdlog::info("global read lock held for {} ms to read the snapshot position", held.count());
  return pos;
}

}  // namespace

BinlogPosition start_consistent_snapshot(mysql::Connection& conn) {
  conn.execute("SET SESSION time_zone = '+00:00'");
  conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  BinlogPosition pos =
      conn.flavor() == mysql::Flavor::mariadb ? mariadb_position(conn) : mysql_position(conn);
  if (!pos.known()) {
    spdlog::warn(
        "the source's binary log is off: this copy cannot be continued by replication "
        "(start the server with log_bin to make that possible)");
  }
  return pos;
}

}  // namespace my2pg::snapshot
