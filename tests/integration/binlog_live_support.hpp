#pragma once
// Reading a test database's changes back from the sandbox MariaDB's live binary log, the way
// `my2pg binlog dump --source` does (mysql::BinlogStream into binlog::Decoder), as text that can
// be compared with what SELECT returns for the same rows.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "binlog/events.hpp"
#include "mysql/binlog_stream.hpp"
#include "support/servers.hpp"

namespace my2pg::test::live {

// A column's text as the text protocol returns it (UTF-8 for character columns); nullopt: NULL.
using Text = std::optional<std::string>;
using RowText = std::vector<Text>;

struct RowChange {
  std::string table;
  binlog::RowsKind kind = binlog::RowsKind::write;
  uint16_t flags = 0;  // of the rows event (STMT_END_F = 1)
  std::vector<RowText> before, after;
};

// One transaction of the binlog that touched the test database, in binlog order.
struct Transaction {
  std::string gtid;                // "domain-server-seq"
  std::vector<std::string> trace;  // "GTID", "TABLE_MAP t", "WRITE_ROWS t", "XID", "QUERY ..."
  std::vector<RowChange> changes;  // row events of the test database's tables
};

struct BinlogRead {
  std::vector<Transaction> transactions;  // those touching the test database
  std::string first_gtid;                 // of the first transaction read, whoever wrote it
};

// SHOW MASTER STATUS, as a stream start in read-to-end mode.
mysql::StreamStart master_position(mysql::Connection& conn);

// Reads the binlog from `start` to its current end. Columns the catalog says are MariaDB UUID,
// INET4 or INET6 get ColumnInfo::mariadb_fbt, as the replicator will set it.
BinlogRead read_binlog(TestDatabases& db, const mysql::StreamStart& start);

// Rows of a query, as the test connection (utf8mb4) returns them.
std::vector<RowText> select_rows(mysql::Connection& conn, const std::string& sql);

// The after images of every WRITE_ROWS event of `table`, in binlog order.
std::vector<RowText> inserted_rows(const BinlogRead& read, const std::string& table);

// "" when equal; otherwise both texts escaped (\xNN for bytes outside printable ASCII), cut
// around their first difference, with their sizes.
std::string difference(const Text& decoded, const Text& selected);

// `bytes` as a MySQL hex literal X'...'.
std::string hex_literal(const std::string& bytes);

// `n` fixed pseudo-random bytes, every seventh one zero, the last eight zero.
std::string sample_bytes(size_t n, uint32_t seed);

}  // namespace my2pg::test::live
