#pragma once
// RAII wrapper of a libpq connection. libpqxx 6.4 exposes neither its PGconn nor raw COPY data,
// and COPY must share a transaction with the control-row update, so this module owns libpq
// directly. Every failure becomes a TargetError carrying the server's SQLSTATE.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/pg_names.hpp"
#include "common/row_set.hpp"

struct pg_conn;

namespace my2pg::pg {

class Connection;

// One COPY ... FROM STDIN in progress. Data is buffered and sent in large chunks; finish() must
// be called before the transaction commits (destroying an unfinished writer aborts the COPY).
class CopyWriter {
 public:
  CopyWriter(CopyWriter&&) noexcept;
  CopyWriter& operator=(CopyWriter&&) = delete;
  ~CopyWriter();

  std::string& buffer() { return m_buffer; }  // append COPY data here, then call flush_if_full()
  void flush_if_full() {
    if (m_buffer.size() >= kChunk) flush();
  }
  // Appends `data` (whole rows or parts of one): large pieces are sent without being copied.
  void write(std::string_view data);
  uint64_t finish();  // ends the COPY; returns the rows the server loaded
  uint64_t bytes_sent() const { return m_sent; }

 private:
  friend class Connection;
  static constexpr size_t kChunk = 1 << 18;
  CopyWriter(pg_conn* conn, std::string context);
  void flush();
  void send(std::string_view data);

  pg_conn* m_conn;
  std::string m_context;
  std::string m_buffer;
  uint64_t m_sent = 0;
  bool m_open = true;
};

// One COPY ... TO STDOUT in progress: rows arrive one at a time (memory stays flat). While it is
// open, its connection runs no other statement; destroying an unfinished reader cancels the COPY
// and leaves the connection usable.
class CopyReader {
 public:
  CopyReader(CopyReader&&) noexcept;
  CopyReader& operator=(CopyReader&&) = delete;
  ~CopyReader();

  // The next row without its newline, valid until the next call; false at the end, after which
  // the connection is free again. Throws TargetError when the server fails mid-stream.
  bool next(std::string_view& line);
  uint64_t rows() const { return m_rows; }

 private:
  friend class Connection;
  CopyReader(pg_conn* conn, std::string context);
  void release();
  void finish();

  pg_conn* m_conn;
  std::string m_context;
  char* m_row = nullptr;  // the last row, owned by libpq until PQfreemem
  uint64_t m_rows = 0;
  bool m_open = true;
};

class Connection {
 public:
  // `conninfo` is a postgresql:// URI or a key=value string, as libpq takes them.
  explicit Connection(const std::string& conninfo);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs `sql` (one or more statements); returns the rows the last one affected (DELETE,
  // UPDATE, INSERT, COPY), else 0.
  uint64_t execute(std::string_view sql);
  // Runs `sql` with $1..$n bound to `params` (text format; std::nullopt for NULL).
  RowSet query(std::string_view sql, const std::vector<std::optional<std::string>>& params = {});
  CopyWriter copy_in(std::string_view copy_sql);
  // Starts `copy_sql`, a COPY ... TO STDOUT (text format gives one line per row).
  CopyReader copy_out(std::string_view copy_sql);

  const std::string& display() const { return m_display; }

 private:
  pg_conn* m_conn = nullptr;
  std::string m_display;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() ran. Never throws on unwind.
class Transaction {
 public:
  explicit Transaction(Connection& conn);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& m_conn;
  bool m_done = false;
};

// The target URI or conninfo with the password left out, for logs and messages.
std::string describe_conninfo(const std::string& conninfo);

}  // namespace my2pg::pg
