#pragma once
// How far behind a running replica is. The reading, applying and monitoring threads share a
// LiveState; once a second the Monitor reads the source's current position, computes the three
// lags and writes them to my2pg.replica_progress (on its own connection, outside the applying
// transactions), where `my2pg status` and `my2pg wait` read them.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/position.hpp"

namespace my2pg::mysql {
class Connection;
struct Endpoint;
}  // namespace my2pg::mysql

namespace my2pg::monitor {
class Registry;
}

namespace my2pg::replica {

// Seconds since the epoch, with fractions.
double wall_seconds();
// Such a time as UTC ISO 8601 with milliseconds ("2026-11-22T11:12:49.075Z"); "" for 0.
std::string iso_utc(double seconds);

// The source's binary log as of one moment.
struct ServerPosition {
  BinlogPosition current;                               // file, position, executed GTID set
  std::vector<std::pair<std::string, uint64_t>> files;  // SHOW BINARY LOGS: name, size
  double checked_at = 0;                                // when it was read (before the queries)
};

// Reads it: the current position, the executed GTID set (MariaDB gtid_binlog_pos, MySQL
// gtid_executed) and the file sizes.
ServerPosition read_server_position(mysql::Connection& src);

// Bytes of binary log from `file:pos` to the server's current position (0 when at or past it);
// nullopt when a file between them is not listed (purged, or another server's).
std::optional<uint64_t> bytes_behind(const std::string& file, uint64_t pos,
                                     const ServerPosition& server);

// What the threads have seen; all times are wall_seconds(), 0 for never.
struct Observed {
  BinlogPosition received;       // end of the newest event read from the stream
  double received_commit = 0;    // the newest commit time in the events read
  BinlogPosition applied;        // everything before it is in PostgreSQL
  double applied_commit = 0;     // commit time of the newest transaction applied
  double reader_caught_up = 0;   // last moment the stream had all the server had logged
  double applier_caught_up = 0;  // last moment the target had it all
  double heartbeat_written = 0;  // source time of the newest heartbeat applied (0: none)
  double heartbeat_delay = 0;    // from its write to its application
};

// The heartbeat table (--heartbeat-table): where the monitor writes, once a second, this
// replica's row (replica_id) with the source's UTC time.
struct Heartbeat {
  std::string database, table;
  uint64_t replica_id = 0;
  std::string target;  // which replica the row is for, for people reading the table
};

// Parses "database.table", creates the table on the source if missing, and names this replica's
// row. ConfigError for a malformed name or the replicated database itself; SourceError naming
// the grants needed when it cannot be created.
Heartbeat prepare_heartbeat(mysql::Connection& src, const std::string& table,
                            const std::string& replicated_database, const std::string& target);

// A transaction's commit time from its binlog timestamp (whole seconds) and when its commit
// event was read: a live stream reads it within the same second, and then the read time is the
// closer bound; a backlog read later keeps the timestamp (so lags stay upper bounds).
inline double commit_time_estimate(uint32_t timestamp, double received_at) {
  const auto ts = static_cast<double>(timestamp);
  return received_at >= ts && received_at < ts + 1 ? received_at : ts;
}

// A DATETIME value (UTC) as seconds since the epoch.
double epoch_seconds(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                     unsigned second, unsigned micros);

// The three lags at `now`, given the server's position read at `server.checked_at`:
//   source lag: now minus the newest commit time received, zero when the stream had everything
//     the server had logged at the check;
//   apply lag: now minus the commit time of the newest transaction applied (or the last moment
//     the target was caught up, whichever is later), zero when it was caught up at the check;
//   position lag: bytes and transactions (by GTID; unknown without them) from the applied
//     position to the server's;
//   end-to-end lag (with a heartbeat table): the delay of the newest heartbeat applied, or how
//     overdue the next one is (written kHeartbeatSeconds later and not applied yet).
constexpr double kHeartbeatSeconds = 1.0;  // how often the monitor writes the heartbeat

struct Lag {
  std::optional<double> source_seconds, apply_seconds;
  std::optional<double> end_to_end_seconds;  // with a heartbeat table
  std::optional<uint64_t> bytes, transactions;
  bool reader_caught_up = false, applier_caught_up = false;  // at the check
};
Lag compute_lag(const Observed& seen, const ServerPosition& server, double now);

// Per-table tallies of applied row changes.
enum class ChangeKind : size_t { insert = 0, update = 1, remove = 2 };

class LiveState {
 public:
  explicit LiveState(std::vector<std::string> tables);

  // The reading thread: one event of the stream (raw bytes with their v4 header), read at
  // `received_at` (wall_seconds()).
  void received(const std::string& file, const uint8_t* header, size_t size, double received_at);
  // The applying thread: everything before `pos` is in PostgreSQL; `commit_time` is the newest
  // applied transaction's (see commit_time_estimate).
  void applied(const BinlogPosition& pos, double commit_time);
  // A batch committed: its source transactions and row changes, how long it took, and the row
  // changes by table (in the order of `tables`) and kind.
  // A heartbeat written at `written_at` (source UTC time) is applied.
  void heartbeat_applied(double written_at);
  void committed_batch(uint64_t transactions, uint64_t rows, double seconds,
                       const std::vector<std::array<uint64_t, 3>>& by_table);
  void reconnected();
  void failed();
  void set_phase(const char* phase);
  // A hold (my2pg.replica_hold, see ReplicaHold), as the monitor last read it: whether one is
  // asked for, and the position to advance to once verify knows it. The follower answers with
  // where it paused ("paused") or that it stands at the target ("reached").
  void set_hold(bool active, const std::optional<BinlogPosition>& target);
  bool hold_active() const { return m_hold_active.load(std::memory_order_relaxed); }
  // Held longer than `limit` seconds: the follower goes on whatever the monitor manages to say
  // (a verify that died, a monitor that cannot reach the target).
  bool hold_expired(double limit) const;
  std::optional<BinlogPosition> hold_target() const;
  void answer_hold(const std::string& state, const BinlogPosition& at);
  std::pair<std::string, BinlogPosition> hold_answer() const;

  // The tables my2pg.paused_table sets aside (source table names), as the monitor last read
  // them; the version changes with each read.
  void set_paused(std::vector<std::string> tables, double read_at);
  uint64_t paused_version() const { return m_paused_version.load(); }
  // The set and when it was read (wall_seconds()).
  std::pair<std::vector<std::string>, double> paused_tables() const;

  // my2pg.replica says 'detached' (cutover ran), or its row is gone: the follower stops.
  void set_detached() { m_detached.store(true); }
  bool detached() const { return m_detached.load(std::memory_order_relaxed); }

  Observed observed() const;
  // The monitor saw the stream (reader) or the target (applier) at the server's position.
  void caught_up(bool reader, bool applier, double at);

  std::vector<std::string> tables() const;
  // The replica's table `i` is now called `name` (renamed, or a new one when past the end).
  void name_table(size_t i, const std::string& name);
  std::vector<std::array<uint64_t, 3>> table_rows() const;
  uint64_t events() const { return m_events.load(); }
  uint64_t transactions() const { return m_transactions.load(); }
  uint64_t rows() const { return m_rows.load(); }
  uint64_t reconnects() const { return m_reconnects.load(); }
  uint64_t errors() const { return m_errors.load(); }
  std::string phase() const;
  // Registers the replica's counters and histograms; from then on updates feed them too.
  void set_metrics(monitor::Registry* registry);

 private:
  mutable std::mutex m_mutex;
  Observed m_seen;
  std::string m_phase = "starting";
  std::vector<std::string> m_tables;
  std::vector<std::array<uint64_t, 3>> m_table_rows;
  std::atomic<bool> m_detached{false};
  std::atomic<bool> m_hold_active{false};
  std::vector<std::string> m_paused;
  double m_paused_read_at = 0;
  std::atomic<uint64_t> m_paused_version{0};
  double m_hold_since = 0;
  std::optional<BinlogPosition> m_hold_target;
  std::string m_hold_answer;
  BinlogPosition m_hold_at;
  std::atomic<uint64_t> m_events{0}, m_transactions{0}, m_rows{0}, m_reconnects{0}, m_errors{0};
  struct Metrics;
  std::shared_ptr<Metrics> m_metrics;
};

// The monitoring thread: ten times a second reads the replica's control rows (a detach by
// cutover, a hold by verify) and relays them; once a second (and once more when stopped) reads
// the source's position on its own connection, computes the lags and upserts
// my2pg.replica_progress on its own target connection. Failures are logged and retried; they
// never stop replication.
class Monitor {
 public:
  Monitor(const mysql::Endpoint& source, std::string target_uri, std::string database,
          LiveState& state, monitor::Registry* metrics, const Heartbeat* heartbeat = nullptr,
          double interval_seconds = 1.0);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  Lag lag() const;

 private:
  void run();
  void control();  // my2pg.replica's state and my2pg.replica_hold
  void tick();     // the lags, into my2pg.replica_progress

  struct Impl;
  std::unique_ptr<Impl> m_impl;
  std::thread m_thread;
};

}  // namespace my2pg::replica
