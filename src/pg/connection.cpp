#include "pg/connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/error.hpp"
#include "common/secrets.hpp"

namespace my2pg::pg {
namespace {

std::string excerpt(std::string_view sql) {
  constexpr size_t kMax = 200;
  return sql.size() <= kMax ? std::string(sql) : std::string(sql.substr(0, kMax)) + "...";
}

std::string trimmed(const char* message) {
  std::string out = message != nullptr ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Server NOTICEs ("schema does not exist, skipping") are for the debug log, not the terminal.
void log_notice(void*, const char* message) {
  spdlog::debug("postgresql: {}", trimmed(message));
}

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// The SQLSTATE of a failure: the server's, or 08006 (connection_failure) when the connection
// broke without the server saying why, so that callers can tell a lost link from a refusal.
std::string state_of(const PGresult* res, pg_conn* conn) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (state != nullptr && *state != '\0') return state;
  return PQstatus(conn) == CONNECTION_BAD ? "08006" : "";
}

[[noreturn]] void fail_result(const PGresult* res, pg_conn* conn, std::string_view what,
                              std::string_view sql) {
  const std::string message =
      trimmed(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  throw TargetError(std::string(what) + ": " + redact_secrets(message) + " in: " + excerpt(sql),
                    state_of(res, conn));
}

RowSet to_row_set(const PGresult* res) {
  RowSet out;
  const int cols = PQnfields(res), rows = PQntuples(res);
  for (int c = 0; c < cols; ++c) out.columns.emplace_back(PQfname(res, c));
  out.rows.reserve(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    auto& row = out.rows.emplace_back();
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(res, r, c) != 0) {
        row.emplace_back();
      } else {
        row.emplace_back(
            std::string(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c))));
      }
    }
  }
  return out;
}

}  // namespace

CopyWriter::CopyWriter(pg_conn* conn, std::string context)
    : m_conn(conn), m_context(std::move(context)) {
  m_buffer.reserve(kChunk + (kChunk >> 2));
}

CopyWriter::CopyWriter(CopyWriter&& other) noexcept
    : m_conn(other.m_conn),
      m_context(std::move(other.m_context)),
      m_buffer(std::move(other.m_buffer)),
      m_sent(other.m_sent),
      m_open(std::exchange(other.m_open, false)) {}

CopyWriter::~CopyWriter() {
  if (!m_open) return;
  PQputCopyEnd(m_conn, "my2pg abandoned the COPY after an error");
  while (PGresult* res = PQgetResult(m_conn)) PQclear(res);
}

void CopyWriter::send(std::string_view data) {
  // libpq takes at most INT_MAX bytes per call.
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), size_t{1} << 30);
    if (PQputCopyData(m_conn, data.data(), static_cast<int>(n)) != 1) {
      throw TargetError(
          "sending COPY data failed: " + trimmed(PQerrorMessage(m_conn)) + " in: " + m_context,
          state_of(nullptr, m_conn));
    }
    m_sent += n;
    data.remove_prefix(n);
  }
}

void CopyWriter::flush() {
  if (m_buffer.empty()) return;
  send(m_buffer);
  m_buffer.clear();
}

void CopyWriter::write(std::string_view data) {
  if (data.size() < kChunk) {
    m_buffer.append(data);
    flush_if_full();
    return;
  }
  flush();
  send(data);  // a large piece goes out as it is, not through the buffer
}

uint64_t CopyWriter::finish() {
  flush();
  m_open = false;
  if (PQputCopyEnd(m_conn, nullptr) != 1) {
    throw TargetError(
        "ending COPY failed: " + trimmed(PQerrorMessage(m_conn)) + " in: " + m_context,
        state_of(nullptr, m_conn));
  }
  ResultPtr res(PQgetResult(m_conn), &PQclear);
  while (PGresult* extra = PQgetResult(m_conn)) PQclear(extra);
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
    fail_result(res.get(), m_conn, "COPY failed", m_context);
  }
  return std::stoull(PQcmdTuples(res.get()));
}

CopyReader::CopyReader(pg_conn* conn, std::string context)
    : m_conn(conn), m_context(std::move(context)) {}

CopyReader::CopyReader(CopyReader&& other) noexcept
    : m_conn(other.m_conn),
      m_context(std::move(other.m_context)),
      m_row(std::exchange(other.m_row, nullptr)),
      m_rows(other.m_rows),
      m_open(std::exchange(other.m_open, false)) {}

CopyReader::~CopyReader() {
  release();
  if (!m_open) return;
  // Abandoned mid-stream: ask the server to stop rather than read the rest of a large table,
  // then take what is already on its way, so that the connection can run statements again.
  if (PGcancel* cancel = PQgetCancel(m_conn)) {
    char error[256];
    PQcancel(cancel, error, sizeof error);
    PQfreeCancel(cancel);
  }
  char* row = nullptr;
  while (PQgetCopyData(m_conn, &row, 0) > 0) PQfreemem(row);
  while (PGresult* res = PQgetResult(m_conn)) PQclear(res);
}

void CopyReader::release() {
  if (m_row == nullptr) return;
  PQfreemem(m_row);
  m_row = nullptr;
}

bool CopyReader::next(std::string_view& line) {
  release();
  if (!m_open) return false;
  const int n = PQgetCopyData(m_conn, &m_row, 0);
  if (n > 0) {
    auto length = static_cast<size_t>(n);
    if (m_row[length - 1] == '\n') --length;
    line = std::string_view(m_row, length);
    ++m_rows;
    return true;
  }
  m_open = false;  // -1: the COPY ended; -2: it failed. Either way a result says how.
  finish();
  return false;
}

void CopyReader::finish() {
  ResultPtr res(PQgetResult(m_conn), &PQclear);
  while (PGresult* extra = PQgetResult(m_conn)) PQclear(extra);
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
    fail_result(res.get(), m_conn, "COPY failed", m_context);
  }
}

Connection::Connection(const std::string& conninfo) : m_display(describe_conninfo(conninfo)) {
  m_conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(m_conn) != CONNECTION_OK) {
    const std::string message = trimmed(PQerrorMessage(m_conn));
    PQfinish(m_conn);
    throw TargetError("cannot connect to the target " + m_display + " (" + redact_secrets(message) +
                          "); check the URI, that the server runs, and the role's password",
                      "08001");
  }
  PQsetNoticeProcessor(m_conn, log_notice, nullptr);
  try {
    execute("SET client_encoding = 'UTF8'");
    execute("SET standard_conforming_strings = on");  // the literals my2pg writes assume it
  } catch (...) {
    PQfinish(m_conn);  // the link broke at once: no destructor runs for a half-made object
    throw;
  }
}

Connection::~Connection() {
  PQfinish(m_conn);
}

uint64_t Connection::execute(std::string_view sql) {
  const std::string text(sql);
  ResultPtr res(PQexec(m_conn, text.c_str()), &PQclear);
  const auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    fail_result(res.get(), m_conn, "statement failed on " + m_display, sql);
  }
  const char* tuples = PQcmdTuples(res.get());
  return tuples == nullptr || *tuples == '\0' ? 0 : std::strtoull(tuples, nullptr, 10);
}

RowSet Connection::query(std::string_view sql,
                         const std::vector<std::optional<std::string>>& params) {
  const std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  ResultPtr res(PQexecParams(m_conn, text.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0),
                &PQclear);
  const auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    fail_result(res.get(), m_conn, "query failed on " + m_display, sql);
  }
  return to_row_set(res.get());
}

CopyWriter Connection::copy_in(std::string_view copy_sql) {
  const std::string text(copy_sql);
  ResultPtr res(PQexec(m_conn, text.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_COPY_IN) {
    fail_result(res.get(), m_conn, "starting COPY failed on " + m_display, copy_sql);
  }
  return CopyWriter(m_conn, excerpt(copy_sql));
}

CopyReader Connection::copy_out(std::string_view copy_sql) {
  const std::string text(copy_sql);
  ResultPtr res(PQexec(m_conn, text.c_str()), &PQclear);
  const auto status = PQresultStatus(res.get());
  if (status == PGRES_COPY_OUT) return CopyReader(m_conn, excerpt(copy_sql));
  if (status == PGRES_COPY_IN) {
    PQputCopyEnd(m_conn, "my2pg expected COPY ... TO STDOUT");
    while (PGresult* extra = PQgetResult(m_conn)) PQclear(extra);
  }
  if (status == PGRES_COPY_IN || status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    throw TargetError("expected a COPY ... TO STDOUT on " + m_display +
                      " in: " + excerpt(copy_sql));
  }
  fail_result(res.get(), m_conn, "starting COPY failed on " + m_display, copy_sql);
}

Transaction::Transaction(Connection& conn) : m_conn(conn) {
  m_conn.execute("BEGIN");
}

Transaction::~Transaction() {
  if (m_done) return;
  try {
    m_conn.execute("ROLLBACK");
  } catch (const Error&) {
    // The connection is already broken; the server rolls the transaction back on its own.
  }
}

void Transaction::commit() {
  m_done = true;
  m_conn.execute("COMMIT");
}

std::string describe_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    const std::string message = trimmed(error);
    PQfreemem(error);
    throw ConfigError("target '" + redact_secrets(conninfo) + "' is not a valid libpq URI or " +
                      "conninfo (" + message +
                      "); e.g. postgresql://user:secret@127.0.0.1:5432/db");
  }
  std::string user, host, port, dbname;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    if (key == "user") user = o->val;
    if (key == "host" || (key == "hostaddr" && host.empty())) host = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") dbname = o->val;
  }
  PQconninfoFree(options);
  std::string out = "postgresql://" + (user.empty() ? "" : user + "@") + host;
  if (!port.empty()) out += ":" + port;
  return out + "/" + dbname;
}

}  // namespace my2pg::pg
