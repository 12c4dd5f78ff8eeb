#pragma once
// The exception hierarchy. An exception ends a unit of work (a command, a table, a batch);
// expected outcomes are return values. Each kind maps to one documented process exit code.
#include <stdexcept>
#include <string>

namespace my2pg {

// Process exit codes, documented in README.md ("Exit codes").
enum class ExitCode : int {
  ok = 0,
  internal = 1,  // a bug or an unexpected condition
  usage = 2,     // bad command line or config file
  source = 3,    // the MySQL/MariaDB side: connection, privileges, settings, queries
  target = 4,    // the PostgreSQL side: connection, privileges, statements
  data = 5,      // a value or definition that cannot be mapped under the active policy
  mismatch = 6,  // verification found differences between source and target
  decode = 7,    // a binary log event could not be decoded
  rejected = 8,  // the run completed, but rows were set aside (--on-error skip-row)
  timeout = 9,   // wait or cutover: the replica did not catch up in time
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, ExitCode code = ExitCode::internal)
      : std::runtime_error(what), m_code(code) {}
  ExitCode exit_code() const { return m_code; }

 private:
  ExitCode m_code;
};

class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& what) : Error(what, ExitCode::usage) {}
};

class SourceError : public Error {
 public:
  // `server_errno`: the client library's or server's error number when there is one (2013 lost
  // connection, 1236 binlog unreadable...), which tells a follower whether to reconnect.
  explicit SourceError(const std::string& what, unsigned server_errno = 0)
      : Error(what, ExitCode::source), m_errno(server_errno) {}
  unsigned server_errno() const { return m_errno; }

 private:
  unsigned m_errno;
};

class TargetError : public Error {
 public:
  explicit TargetError(const std::string& what, std::string sqlstate = {})
      : Error(what, ExitCode::target), m_sqlstate(std::move(sqlstate)) {}
  // Five-character SQLSTATE: the server's; 08006 when the link broke without a word from it,
  // 08001 when no connection could be made; else empty.
  const std::string& sqlstate() const { return m_sqlstate; }
  // The link to the server broke, or it is shutting down or starting up (SQLSTATE class 08,
  // 57P01-57P03): the statement's fate is unknown, and a new connection may succeed later.
  bool connection_lost() const {
    return m_sqlstate.rfind("08", 0) == 0 || m_sqlstate == "57P01" || m_sqlstate == "57P02" ||
           m_sqlstate == "57P03";
  }
  // A conflict that passes by itself: a serialization failure, a deadlock, a lock the statement
  // gave up waiting for (lock_timeout), a statement cancelled (statement_timeout,
  // pg_cancel_backend). The same statement may succeed when tried again.
  bool passing_conflict() const {
    return m_sqlstate == "40001" || m_sqlstate == "40P01" || m_sqlstate == "55P03" ||
           m_sqlstate == "57014";
  }
  // The server refused the statement itself (syntax or access, data, constraint, a feature it
  // lacks, PL/pgSQL): running it again unchanged meets the same error.
  bool refused() const {
    const std::string cls = m_sqlstate.substr(0, 2);
    return cls == "42" || cls == "22" || cls == "23" || cls == "0A" || cls == "P0";
  }

 private:
  std::string m_sqlstate;
};

class MappingError : public Error {
 public:
  explicit MappingError(const std::string& what) : Error(what, ExitCode::data) {}
};

// A binlog event that cannot be decoded: truncated, corrupt, or of an unsupported kind. The
// message names the binlog file, the event's position, its type and the offset inside it.
class DecodeError : public Error {
 public:
  explicit DecodeError(const std::string& what) : Error(what, ExitCode::decode) {}
};

class MismatchError : public Error {
 public:
  explicit MismatchError(const std::string& what) : Error(what, ExitCode::mismatch) {}
};

}  // namespace my2pg
