#include "replica/monitor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <functional>
#include <limits>

#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "monitor/metrics.hpp"
#include "mysql/connection.hpp"
#include "mysql/endpoint.hpp"
#include "pg/connection.hpp"
#include "snapshot/source_snapshot.hpp"

namespace my2pg::replica {

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string iso_utc(double t) {
  if (t <= 0) return "";
  const auto secs = static_cast<std::time_t>(std::floor(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>((t - std::floor(t)) * 1000));
}

ServerPosition read_server_position(mysql::Connection& src) {
  ServerPosition s;
  s.checked_at = wall_seconds();
  s.current = snapshot::current_binlog_position(src);
  if (src.flavor() == mysql::Flavor::mariadb) {
    const RowSet g = src.query("SELECT @@GLOBAL.gtid_binlog_pos");
    if (!g.rows.empty()) s.current.gtid_set = g.rows[0].at(0).value_or("");
  }
  const RowSet logs = src.query("SHOW BINARY LOGS");
  for (const auto& row : logs.rows) {
    s.files.emplace_back(row.at(0).value_or(""), std::stoull(row.at(1).value_or("0")));
  }
  return s;
}

std::optional<uint64_t> bytes_behind(const std::string& file, uint64_t pos,
                                     const ServerPosition& server) {
  const BinlogPosition& cur = server.current;
  if (!cur.known() || file.empty()) return std::nullopt;
  if (compare_positions(file, pos, cur.file, cur.pos) >= 0) return 0;
  if (file == cur.file) return cur.pos - pos;
  // The rest of `file`, every file after it, and the current one up to its position.
  uint64_t bytes = 0;
  bool found = false;
  for (const auto& [name, size] : server.files) {
    if (name == file) {
      found = true;
      bytes += size > pos ? size - pos : 0;
    } else if (found && name != cur.file) {
      bytes += size;
    } else if (found) {
      break;
    }
  }
  if (!found) return std::nullopt;
  return bytes + cur.pos;
}

namespace {

bool at_or_past(const BinlogPosition& p, const BinlogPosition& server) {
  return p.known() && server.known() &&
         compare_positions(p.file, p.pos, server.file, server.pos) >= 0;
}

}  // namespace

Lag compute_lag(const Observed& seen, const ServerPosition& server, double now) {
  Lag lag;
  const BinlogPosition& cur = server.current;
  lag.reader_caught_up = at_or_past(seen.received, cur) || at_or_past(seen.applied, cur);
  lag.applier_caught_up = at_or_past(seen.applied, cur);
  const double received = std::max({seen.received_commit, seen.reader_caught_up});
  if (lag.reader_caught_up) {
    lag.source_seconds = 0.0;
  } else if (received > 0) {
    lag.source_seconds = std::max(0.0, now - received);
  }
  const double applied = std::max(seen.applied_commit, seen.applier_caught_up);
  if (lag.applier_caught_up) {
    lag.apply_seconds = 0.0;
  } else if (applied > 0) {
    lag.apply_seconds = std::max(0.0, now - applied);
  }
  lag.bytes = bytes_behind(seen.applied.file, seen.applied.pos, server);
  if (seen.heartbeat_written > 0) {
    lag.end_to_end_seconds =
        std::max({0.0, seen.heartbeat_delay, now - seen.heartbeat_written - kHeartbeatSeconds});
  }
  if (lag.applier_caught_up) {
    lag.transactions = 0;
  } else if (!seen.applied.gtid_set.empty()) {
    lag.transactions = gtid_transactions_between(seen.applied.gtid_set, cur.gtid_set);
  }
  return lag;
}

double epoch_seconds(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                     unsigned second, unsigned micros) {
  // Days from 1970-01-01 to the civil date (proleptic Gregorian).
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = month > 2 ? month - 3 : month + 9;  // March = 0
  const unsigned doy = (153 * mp + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long days = static_cast<long>(era) * 146097 + static_cast<long>(doe) - 719468;
  return static_cast<double>(days) * 86400.0 + hour * 3600.0 + minute * 60.0 + second +
         micros / 1e6;
}

Heartbeat prepare_heartbeat(mysql::Connection& src, const std::string& table,
                            const std::string& replicated_database, const std::string& target) {
  const size_t dot = table.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == table.size() ||
      table.find('.', dot + 1) != std::string::npos) {
    throw ConfigError("--heartbeat-table takes DATABASE.TABLE, e.g. my2pg_heartbeat.beat (got '" +
                      table + "')");
  }
  Heartbeat h;
  h.database = table.substr(0, dot);
  h.table = table.substr(dot + 1);
  if (h.database == replicated_database) {
    throw ConfigError("--heartbeat-table " + table + ": put the table in a database of its own " +
                      "(not " + replicated_database + ", which is replicated), e.g. " +
                      "my2pg_heartbeat." + h.table +
                      ", so that copies, filters and schema changes leave it alone");
  }
  const std::string name =
      mysql::quote_identifier(h.database) + "." + mysql::quote_identifier(h.table);
  const std::string ddl = "CREATE TABLE IF NOT EXISTS " + name +
                          " (replica_id BIGINT UNSIGNED NOT NULL PRIMARY KEY, written_at "
                          "DATETIME(6) NOT NULL, target VARCHAR(255) NOT NULL) ENGINE=InnoDB";
  try {
    src.execute("CREATE DATABASE IF NOT EXISTS " + mysql::quote_identifier(h.database));
    src.execute(ddl);
  } catch (const SourceError& e) {
    throw SourceError(std::string(e.what()) + "\n--heartbeat-table needs CREATE and INSERT on " +
                          h.database + ", or create the table yourself: " + ddl,
                      e.server_errno());
  }
  // A stable id per target and database: FNV-1a of their names, 63 bits.
  h.target = (target + "/" + replicated_database).substr(0, 255);
  uint64_t hash = 14695981039346656037ULL;
  for (const char c : h.target) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 1099511628211ULL;
  }
  h.replica_id = hash >> 1;
  return h;
}

// ---------------------------------------------------------------------------------------------

struct LiveState::Metrics {
  monitor::Counter* events = nullptr;
  monitor::Counter* transactions = nullptr;
  monitor::Counter* reconnects = nullptr;
  monitor::Counter* errors = nullptr;
  monitor::Histogram* batch_rows = nullptr;
  monitor::Histogram* batch_seconds = nullptr;
  std::vector<std::array<monitor::Counter*, 3>> rows;  // per table and kind
  monitor::Registry* registry = nullptr;
};

namespace {

std::array<monitor::Counter*, 3> table_counters(monitor::Registry& registry,
                                                const std::string& table) {
  const auto rows =
      registry.counter("my2pg_replica_rows_applied_total",
                       "Row changes applied, by source table and kind", {"table", "kind"});
  return {&rows.with({table, "insert"}), &rows.with({table, "update"}),
          &rows.with({table, "delete"})};
}

}  // namespace

LiveState::LiveState(std::vector<std::string> tables)
    : m_tables(std::move(tables)), m_table_rows(m_tables.size(), {0, 0, 0}) {}

void LiveState::set_metrics(monitor::Registry* registry) {
  if (registry == nullptr) return;
  auto m = std::make_shared<Metrics>();
  m->events = &registry
                   ->counter("my2pg_replica_events_received_total",
                             "Binary log events read from the source", {})
                   .with();
  m->transactions =
      &registry
           ->counter("my2pg_replica_transactions_applied_total",
                     "Source transactions that changed replicated tables, applied", {})
           .with();
  m->reconnects = &registry
                       ->counter("my2pg_replica_reconnects_total",
                                 "Times the binary log stream was lost and opened again", {})
                       .with();
  m->errors = &registry
                   ->counter("my2pg_replica_errors_total",
                             "Errors that ended a batch (each is retried or stops the run)", {})
                   .with();
  m->batch_rows = &registry
                       ->histogram("my2pg_replica_batch_rows",
                                   "Row changes per applied batch (one PostgreSQL transaction)",
                                   {1, 10, 100, 1000, 10000, 50000, 100000, 1000000}, {})
                       .with();
  m->batch_seconds =
      &registry
           ->histogram("my2pg_replica_batch_commit_seconds",
                       "Time to apply one batch in PostgreSQL, with its control row and COMMIT",
                       {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, {})
           .with();
  m->registry = registry;
  const std::lock_guard lock(m_mutex);
  for (const std::string& t : m_tables) m->rows.push_back(table_counters(*registry, t));
  m_metrics = std::move(m);
}

void LiveState::name_table(size_t i, const std::string& name) {
  const std::lock_guard lock(m_mutex);
  if (i >= m_tables.size()) {
    m_tables.resize(i + 1);
    m_table_rows.resize(i + 1, {0, 0, 0});
  }
  m_tables[i] = name;
  if (!m_metrics) return;
  m_metrics->rows.resize(m_tables.size());
  m_metrics->rows[i] = table_counters(*m_metrics->registry, name);
}

std::vector<std::string> LiveState::tables() const {
  const std::lock_guard lock(m_mutex);
  return m_tables;
}

void LiveState::received(const std::string& file, const uint8_t* header, size_t size,
                         double received_at) {
  if (size < 19) return;
  m_events.fetch_add(1, std::memory_order_relaxed);
  if (m_metrics) m_metrics->events->add(1);
  auto u32 = [&](size_t at) {
    return uint32_t{header[at]} | uint32_t{header[at + 1]} << 8 | uint32_t{header[at + 2]} << 16 |
           uint32_t{header[at + 3]} << 24;
  };
  const uint32_t timestamp = u32(0);
  const uint8_t type = header[4];
  const uint32_t log_pos = u32(13);
  // Heartbeats (27, 41) and the artificial events a stream starts with say nothing new.
  if (type == 27 || type == 41 || log_pos == 0 || file.empty()) return;
  const std::lock_guard lock(m_mutex);
  if (!m_seen.received.known() ||
      compare_positions(file, log_pos, m_seen.received.file, m_seen.received.pos) > 0) {
    if (m_seen.received.file != file) m_seen.received.file = file;
    m_seen.received.pos = log_pos;
  }
  m_seen.received_commit =
      std::max(m_seen.received_commit, commit_time_estimate(timestamp, received_at));
}

void LiveState::applied(const BinlogPosition& pos, double commit_time) {
  const std::lock_guard lock(m_mutex);
  if (!m_seen.applied.known() ||
      compare_positions(pos.file, pos.pos, m_seen.applied.file, m_seen.applied.pos) > 0) {
    m_seen.applied = pos;
  }
  m_seen.applied_commit = std::max(m_seen.applied_commit, commit_time);
  // The stream has at least what is applied.
  if (!m_seen.received.known() ||
      compare_positions(pos.file, pos.pos, m_seen.received.file, m_seen.received.pos) > 0) {
    m_seen.received.file = pos.file;
    m_seen.received.pos = pos.pos;
  }
  m_seen.received_commit = std::max(m_seen.received_commit, m_seen.applied_commit);
}

void LiveState::heartbeat_applied(double written_at) {
  const std::lock_guard lock(m_mutex);
  if (written_at <= m_seen.heartbeat_written) return;
  m_seen.heartbeat_written = written_at;
  m_seen.heartbeat_delay = std::max(0.0, wall_seconds() - written_at);
}

void LiveState::committed_batch(uint64_t transactions, uint64_t rows, double seconds,
                                const std::vector<std::array<uint64_t, 3>>& by_table) {
  m_transactions.fetch_add(transactions);
  m_rows.fetch_add(rows);
  const std::lock_guard lock(m_mutex);
  for (size_t i = 0; i < by_table.size() && i < m_table_rows.size(); ++i) {
    for (size_t k = 0; k < 3; ++k) m_table_rows[i][k] += by_table[i][k];
  }
  if (!m_metrics) return;
  m_metrics->transactions->add(transactions);
  m_metrics->batch_rows->observe(static_cast<double>(rows));
  m_metrics->batch_seconds->observe(seconds);
  for (size_t i = 0; i < by_table.size() && i < m_metrics->rows.size(); ++i) {
    for (size_t k = 0; k < 3; ++k) {
      if (by_table[i][k] != 0) m_metrics->rows[i][k]->add(by_table[i][k]);
    }
  }
}

void LiveState::reconnected() {
  m_reconnects.fetch_add(1);
  if (m_metrics) m_metrics->reconnects->add(1);
}

void LiveState::failed() {
  m_errors.fetch_add(1);
  if (m_metrics) m_metrics->errors->add(1);
}

void LiveState::set_phase(const char* phase) {
  const std::lock_guard lock(m_mutex);
  m_phase = phase;
}

std::string LiveState::phase() const {
  const std::lock_guard lock(m_mutex);
  return m_phase;
}

void LiveState::set_hold(bool active, const std::optional<BinlogPosition>& target) {
  const std::lock_guard lock(m_mutex);
  m_hold_target = active ? target : std::nullopt;
  if (!active) m_hold_answer.clear();
  if (active && !m_hold_active.load()) m_hold_since = wall_seconds();
  m_hold_active.store(active);
}

bool LiveState::hold_expired(double limit) const {
  const std::lock_guard lock(m_mutex);
  return m_hold_active.load() && wall_seconds() - m_hold_since > limit;
}

void LiveState::set_paused(std::vector<std::string> tables, double read_at) {
  const std::lock_guard lock(m_mutex);
  // Each read counts, even with the same tables: the follower passes over lists older than
  // its own changes to a table and looks again at a newer one.
  m_paused = std::move(tables);
  m_paused_read_at = read_at;
  m_paused_version.fetch_add(1);
}

std::pair<std::vector<std::string>, double> LiveState::paused_tables() const {
  const std::lock_guard lock(m_mutex);
  return {m_paused, m_paused_read_at};
}

std::optional<BinlogPosition> LiveState::hold_target() const {
  const std::lock_guard lock(m_mutex);
  return m_hold_target;
}

void LiveState::answer_hold(const std::string& state, const BinlogPosition& at) {
  const std::lock_guard lock(m_mutex);
  m_hold_answer = state;
  m_hold_at = at;
}

std::pair<std::string, BinlogPosition> LiveState::hold_answer() const {
  const std::lock_guard lock(m_mutex);
  return {m_hold_answer, m_hold_at};
}

Observed LiveState::observed() const {
  const std::lock_guard lock(m_mutex);
  return m_seen;
}

void LiveState::caught_up(bool reader, bool applier, double at) {
  const std::lock_guard lock(m_mutex);
  if (reader) m_seen.reader_caught_up = std::max(m_seen.reader_caught_up, at);
  if (applier) m_seen.applier_caught_up = std::max(m_seen.applier_caught_up, at);
}

std::vector<std::array<uint64_t, 3>> LiveState::table_rows() const {
  const std::lock_guard lock(m_mutex);
  return m_table_rows;
}

// ---------------------------------------------------------------------------------------------

namespace {

std::optional<std::string> text_of(const std::optional<double>& v) {
  if (!v) return std::nullopt;
  return fmt::format("{:.6f}", *v);
}
std::optional<std::string> text_of(const std::optional<uint64_t>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}
std::optional<std::string> time_of(double t) {
  if (t <= 0) return std::nullopt;
  return fmt::format("{:.6f}", t);
}
std::optional<std::string> file_of(const BinlogPosition& p) {
  if (!p.known()) return std::nullopt;
  return p.file;
}
std::optional<std::string> pos_of(const BinlogPosition& p) {
  if (!p.known()) return std::nullopt;
  return std::to_string(p.pos);
}

template <typename T>
double value_of(const std::optional<T>& v) {
  return v ? static_cast<double>(*v) : std::numeric_limits<double>::quiet_NaN();
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace

struct Monitor::Impl {
  Impl(const mysql::Endpoint& source_, std::string target_uri_, std::string database_,
       LiveState& state_, const Heartbeat* heartbeat_, double interval_)
      : source(source_),
        target_uri(std::move(target_uri_)),
        database(std::move(database_)),
        state(state_),
        heartbeat(heartbeat_),
        interval(interval_) {}

  mysql::Endpoint source;
  std::string target_uri, database;
  LiveState& state;
  const Heartbeat* heartbeat;
  double interval;
  double started = wall_seconds();
  std::unique_ptr<mysql::Connection> src;
  std::unique_ptr<pg::Connection> tgt;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  Lag lag;
  std::deque<std::array<double, 3>> rates;  // time, transactions, rows
  double last_source_warning = 0, last_target_warning = 0;
  std::vector<std::function<void()>> on_exit;
};

Monitor::Monitor(const mysql::Endpoint& source, std::string target_uri, std::string database,
                 LiveState& state, monitor::Registry* metrics, const Heartbeat* heartbeat,
                 double interval_seconds)
    : m_impl(std::make_unique<Impl>(source, std::move(target_uri), std::move(database), state,
                                    heartbeat, interval_seconds)) {
  if (metrics != nullptr) {
    auto gauge = [&](const char* name, const char* help, auto get) {
      const monitor::GaugeFamily family = metrics->gauge(name, help);
      family.with_callback({}, [this, get]() -> double { return value_of(get(lag())); });
      // Once the monitor is gone, the gauges keep its last values.
      m_impl->on_exit.push_back([this, family, get] {
        family.with_callback({}, [v = value_of(get(lag()))] { return v; });
      });
    };
    gauge("my2pg_replica_source_lag_seconds",
          "Now minus the newest commit time read from the source; 0 when the stream has "
          "everything the source logged (NaN: unknown)",
          [](const Lag& l) { return l.source_seconds; });
    gauge("my2pg_replica_apply_lag_seconds",
          "Now minus the commit time of the newest transaction applied; 0 when caught up "
          "with the source's position (NaN: unknown)",
          [](const Lag& l) { return l.apply_seconds; });
    gauge("my2pg_replica_position_lag_bytes",
          "Bytes of binary log between the applied position and the source's current one",
          [](const Lag& l) { return l.bytes; });
    gauge("my2pg_replica_position_lag_transactions",
          "Transactions between the applied GTID set and the source's (NaN without GTIDs)",
          [](const Lag& l) { return l.transactions; });
    gauge("my2pg_replica_end_to_end_lag_seconds",
          "Now minus the source time of the newest heartbeat row applied (--heartbeat-table; "
          "NaN without one)",
          [](const Lag& l) { return l.end_to_end_seconds; });
  }
  m_thread = std::thread([this] { run(); });
}

Monitor::~Monitor() {
  {
    const std::lock_guard lock(m_impl->mutex);
    m_impl->stopping = true;
  }
  m_impl->wake.notify_all();
  m_thread.join();
  for (const auto& f : m_impl->on_exit) f();
}

Lag Monitor::lag() const {
  const std::lock_guard lock(m_impl->mutex);
  return m_impl->lag;
}

namespace {

// Between my2pg.replica_hold and the follower: the request and its target go one way, the
// follower's answers the other.
// The paused tables are read in the same statement (one snapshot) and published first: a resync
// removes a table's pause before it lets go of its hold, so a follower that sees the hold gone
// sees the table resumed too, at the very position it was held at. The resync removes it in its
// copy's transaction, which commits later: a row locked by a DELETE in progress counts as gone.
void relay_hold(pg::Connection& tgt, const std::string& db, LiveState& state) {
  const double read_at = wall_seconds();
  const RowSet h = tgt.query(
      "SELECT h.state, h.target_file, h.target_pos, now() - h.requested_at > interval "
      "'1 minute', coalesce((SELECT string_agg(source_table, E'\\n' ORDER BY source_table) FROM "
      "(SELECT source_table FROM my2pg.paused_table WHERE source_database = $1 FOR KEY SHARE "
      "SKIP LOCKED) AS p), '') FROM (SELECT 1) AS one LEFT JOIN "
      "my2pg.replica_hold h ON h.source_database = $1",
      {db});
  const auto& row = h.rows.at(0);
  std::vector<std::string> paused;
  const std::string list = row[4].value_or("");
  for (size_t at = 0; at < list.size();) {
    const size_t end = std::min(list.find('\n', at), list.size());
    paused.push_back(list.substr(at, end - at));
    at = end + 1;
  }
  state.set_paused(std::move(paused), read_at);
  if (!row[0]) {
    state.set_hold(false, std::nullopt);
    return;
  }
  if (row[3] == "t") {
    spdlog::warn(
        "a hold on the replica (for my2pg verify) older than a minute was abandoned; "
        "removed, replication goes on");
    tgt.query("DELETE FROM my2pg.replica_hold WHERE source_database = $1", {db});
    state.set_hold(false, std::nullopt);
    return;
  }
  const std::string requested = row[0].value_or("");
  std::optional<BinlogPosition> target;
  if ((requested == "advancing" || requested == "reached") && row[1]) {
    target = BinlogPosition{*row[1], std::stoull(row[2].value_or("0")), {}};
  }
  state.set_hold(true, target);
  const auto [answer, at] = state.hold_answer();
  if (requested == "requested" && answer == "paused") {
    tgt.query(
        "UPDATE my2pg.replica_hold SET state = 'paused', paused_file = $2, paused_pos = $3, "
        "updated_at = now() WHERE source_database = $1 AND state = 'requested'",
        {db, at.file, std::to_string(at.pos)});
  } else if (requested == "advancing" && answer == "reached") {
    tgt.query(
        "UPDATE my2pg.replica_hold SET state = 'reached', paused_file = $2, paused_pos = $3, "
        "updated_at = now() WHERE source_database = $1 AND state = 'advancing'",
        {db, at.file, std::to_string(at.pos)});
  }
}

}  // namespace

void Monitor::run() {
  // The control rows (detach, hold) are read ten times a second, so that cutover and verify
  // wait little; the lags are measured once per interval.
  double next_tick = 0;
  for (;;) {
    control();
    if (wall_seconds() >= next_tick) {
      tick();
      next_tick = wall_seconds() + m_impl->interval;
    }
    std::unique_lock lock(m_impl->mutex);
    if (!m_impl->stopping) {
      const double wait = m_impl->state.hold_active() ? 0.02 : 0.1;
      m_impl->wake.wait_for(lock, std::chrono::duration<double>(wait),
                            [&] { return m_impl->stopping; });
    }
    if (m_impl->stopping) {
      lock.unlock();
      tick();  // the last word: the phase and position as the run ends
      return;
    }
  }
}

void Monitor::control() {
  Impl& m = *m_impl;
  try {
    if (!m.tgt) m.tgt = std::make_unique<pg::Connection>(m.target_uri);
    const RowSet st =
        m.tgt->query("SELECT state FROM my2pg.replica WHERE source_database = $1", {m.database});
    if (st.rows.empty() || st.rows[0].at(0) == "detached") m.state.set_detached();
    relay_hold(*m.tgt, m.database, m.state);
  } catch (const std::exception& e) {
    m.tgt.reset();
    if (wall_seconds() - m.last_target_warning > 60) {
      m.last_target_warning = wall_seconds();
      spdlog::warn("lag: cannot read my2pg.replica ({}); retrying", e.what());
    }
  }
}

void Monitor::tick() {
  Impl& m = *m_impl;
  ServerPosition server;
  try {
    if (!m.src) m.src = std::make_unique<mysql::Connection>(m.source, 10);
    server = read_server_position(*m.src);
    if (m.heartbeat != nullptr) {
      // After reading the position, so that the next read includes it.
      m.src->execute("INSERT INTO " + mysql::quote_identifier(m.heartbeat->database) + "." +
                     mysql::quote_identifier(m.heartbeat->table) +
                     " (replica_id, written_at, target) VALUES (" +
                     std::to_string(m.heartbeat->replica_id) + ", UTC_TIMESTAMP(6), " +
                     m.src->quote(m.heartbeat->target) +
                     ") ON DUPLICATE KEY UPDATE written_at = VALUES(written_at)");
    }
  } catch (const std::exception& e) {
    m.src.reset();
    server = {};
    if (wall_seconds() - m.last_source_warning > 60) {
      m.last_source_warning = wall_seconds();
      spdlog::warn(
          "lag: cannot read the source's current position ({}); lags are unknown until "
          "it answers",
          e.what());
    }
  }
  const Observed seen = m.state.observed();
  const double now = wall_seconds();
  const Lag lag = compute_lag(seen, server, now);
  m.state.caught_up(lag.reader_caught_up, lag.applier_caught_up, server.checked_at);
  {
    const std::lock_guard lock(m.mutex);
    m.lag = lag;
  }
  // Rates over the last ten seconds.
  m.rates.push_back(
      {now, static_cast<double>(m.state.transactions()), static_cast<double>(m.state.rows())});
  while (m.rates.size() > 2 && now - m.rates.front()[0] > 10) m.rates.pop_front();
  const double span = m.rates.back()[0] - m.rates.front()[0];
  const double tps = span > 0 ? (m.rates.back()[1] - m.rates.front()[1]) / span : 0;
  const double rps = span > 0 ? (m.rates.back()[2] - m.rates.front()[2]) / span : 0;

  std::string tables = "{";
  const auto counts = m.state.table_rows();
  const auto names = m.state.tables();
  for (size_t i = 0; i < counts.size() && i < names.size(); ++i) {
    if (counts[i][0] + counts[i][1] + counts[i][2] == 0) continue;
    if (tables.size() > 1) tables += ",";
    append_json_string(names[i], tables);
    tables += fmt::format(R"(:{{"inserted":{},"updated":{},"deleted":{}}})", counts[i][0],
                          counts[i][1], counts[i][2]);
  }
  tables += "}";
  try {
    if (!m.tgt) m.tgt = std::make_unique<pg::Connection>(m.target_uri);
    m.tgt->query(
        "INSERT INTO my2pg.replica_progress AS p (source_database, pid, host, running_since, "
        "updated_at, phase, received_file, received_pos, received_commit_time, applied_file, "
        "applied_pos, applied_gtid_set, applied_commit_time, server_file, server_pos, "
        "server_gtid_set, server_checked_at, source_lag_seconds, apply_lag_seconds, "
        "position_lag_bytes, position_lag_transactions, end_to_end_lag_seconds, "
        "transactions_per_second, rows_per_second, events_received, transactions_applied, "
        "rows_applied, reconnects, tables) VALUES ($1, $2, $3, to_timestamp($4), now(), $5, $6, "
        "$7, to_timestamp($8), $9, $10, nullif($11, ''), to_timestamp($12), $13, $14, "
        "nullif($15, ''), to_timestamp($16), $17, $18, $19, $20, $28, $21, $22, $23, $24, $25, "
        "$26, $27) "
        "ON CONFLICT (source_database) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host, "
        "running_since = EXCLUDED.running_since, updated_at = EXCLUDED.updated_at, "
        "phase = EXCLUDED.phase, received_file = EXCLUDED.received_file, "
        "received_pos = EXCLUDED.received_pos, "
        "received_commit_time = EXCLUDED.received_commit_time, "
        "applied_file = EXCLUDED.applied_file, applied_pos = EXCLUDED.applied_pos, "
        "applied_gtid_set = EXCLUDED.applied_gtid_set, "
        "applied_commit_time = EXCLUDED.applied_commit_time, "
        "server_file = coalesce(EXCLUDED.server_file, p.server_file), "
        "server_pos = coalesce(EXCLUDED.server_pos, p.server_pos), "
        "server_gtid_set = coalesce(EXCLUDED.server_gtid_set, p.server_gtid_set), "
        "server_checked_at = coalesce(EXCLUDED.server_checked_at, p.server_checked_at), "
        "source_lag_seconds = EXCLUDED.source_lag_seconds, "
        "apply_lag_seconds = EXCLUDED.apply_lag_seconds, "
        "position_lag_bytes = EXCLUDED.position_lag_bytes, "
        "position_lag_transactions = EXCLUDED.position_lag_transactions, "
        "end_to_end_lag_seconds = EXCLUDED.end_to_end_lag_seconds, "
        "transactions_per_second = EXCLUDED.transactions_per_second, "
        "rows_per_second = EXCLUDED.rows_per_second, "
        "events_received = EXCLUDED.events_received, "
        "transactions_applied = EXCLUDED.transactions_applied, "
        "rows_applied = EXCLUDED.rows_applied, reconnects = EXCLUDED.reconnects, "
        "tables = EXCLUDED.tables",
        {m.database,
         std::to_string(getpid()),
         host_name(),
         fmt::format("{:.6f}", m.started),
         m.state.phase(),
         file_of(seen.received),
         pos_of(seen.received),
         time_of(seen.received_commit),
         file_of(seen.applied),
         pos_of(seen.applied),
         seen.applied.gtid_set,
         time_of(seen.applied_commit),
         file_of(server.current),
         pos_of(server.current),
         server.current.gtid_set,
         time_of(server.checked_at),
         text_of(lag.source_seconds),
         text_of(lag.apply_seconds),
         text_of(lag.bytes),
         text_of(lag.transactions),
         fmt::format("{:.3f}", tps),
         fmt::format("{:.3f}", rps),
         std::to_string(m.state.events()),
         std::to_string(m.state.transactions()),
         std::to_string(m.state.rows()),
         std::to_string(m.state.reconnects()),
         tables,
         text_of(lag.end_to_end_seconds)});
  } catch (const std::exception& e) {
    m.tgt.reset();
    if (wall_seconds() - m.last_target_warning > 60) {
      m.last_target_warning = wall_seconds();
      spdlog::warn(
          "lag: cannot write my2pg.replica_progress ({}); `my2pg status` shows the last "
          "values written until it works again",
          e.what());
    }
  }
}

}  // namespace my2pg::replica
