#include "replica/replicate.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "binlog/charset.hpp"
#include "binlog/decoder.hpp"
#include "binlog/transaction_framer.hpp"
#include "common/error.hpp"
#include "control/migrator.hpp"
#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "replica/applier.hpp"
#include "replica/ddl.hpp"
#include "replica/live_source.hpp"
#include "replica/monitor.hpp"
#include "replica/schema_change.hpp"
#include "replica/source_settings.hpp"
#include "schema/ddl_tracker.hpp"
#include "snapshot/source_model.hpp"
#include "snapshot/source_snapshot.hpp"

namespace my2pg::replica {
namespace {

using Clock = std::chrono::steady_clock;

// sql_mode's NO_BACKSLASH_ESCAPES bit (MySQL's and MariaDB's), in a QUERY event's status.
constexpr uint64_t kNoBackslashEscapes = uint64_t{1} << 20;

// Route::settled_at while the batch that made or renamed the route has not committed.
constexpr double kUnsettled = std::numeric_limits<double>::infinity();

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Raw events handed from the reading thread to the applying one. Bounded in bytes, so that a
// source much faster than the target costs no more memory than the bound.
class EventQueue {
 public:
  struct Item {
    std::vector<uint8_t> bytes;
    std::string file;  // set when it changes; empty: the file of the event before
    uint64_t position = 0;
    double received_at = 0;  // wall_seconds()
  };
  enum class Pop { item, timeout, finished };

  explicit EventQueue(size_t max_bytes) : m_max(max_bytes) {}

  // False when the queue was closed (the consumer has gone).
  bool push(Item item) {
    std::unique_lock lock(m_mutex);
    m_not_full.wait(lock, [&] { return m_closed || m_bytes < m_max || m_items.empty(); });
    if (m_closed) return false;
    m_bytes += item.bytes.size();
    m_items.push_back(std::move(item));
    m_not_empty.notify_one();
    return true;
  }
  void finish(std::exception_ptr error) {
    const std::lock_guard lock(m_mutex);
    m_finished = true;
    m_error = std::move(error);
    m_not_empty.notify_all();
  }
  void close() {
    const std::lock_guard lock(m_mutex);
    m_closed = true;
    m_not_full.notify_all();
  }
  Pop pop(Item& out, std::chrono::milliseconds wait) {
    std::unique_lock lock(m_mutex);
    if (!m_not_empty.wait_for(lock, wait, [&] { return !m_items.empty() || m_finished; }))
      return Pop::timeout;
    if (m_items.empty()) return Pop::finished;
    std::swap(out, m_items.front());
    m_items.pop_front();
    m_bytes -= out.bytes.size();
    m_not_full.notify_one();
    return Pop::item;
  }
  bool empty() {
    const std::lock_guard lock(m_mutex);
    return m_items.empty();
  }
  std::exception_ptr error() {
    const std::lock_guard lock(m_mutex);
    return m_error;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_not_empty, m_not_full;
  std::deque<Item> m_items;
  size_t m_bytes = 0;
  size_t m_max;
  bool m_finished = false, m_closed = false;
  std::exception_ptr m_error;
};

// The live stream read on its own thread into an EventQueue.
class Reader {
 public:
  Reader(const mysql::Endpoint& endpoint, const mysql::StreamStart& start, size_t queue_bytes,
         LiveState& live)
      : m_source(endpoint, start), m_queue(queue_bytes), m_live(live) {
    m_thread = std::thread([this] { run(); });
  }
  ~Reader() {
    m_queue.close();
    m_source.interrupt();
    m_thread.join();
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  EventQueue& queue() { return m_queue; }
  binlog::ChecksumAlg checksum() const { return m_source.checksum(); }

 private:
  void run() {
    try {
      binlog::RawEvent raw;
      std::string file;
      while (m_source.next(raw)) {
        EventQueue::Item item;
        item.bytes.assign(raw.bytes.begin(), raw.bytes.end());
        if (raw.file != file) item.file = file = raw.file;  // else empty: the file goes on
        item.position = raw.position;
        item.received_at = wall_seconds();
        m_live.received(file, item.bytes.data(), item.bytes.size(), item.received_at);
        if (!m_queue.push(std::move(item))) return;
      }
      m_queue.finish(nullptr);
    } catch (...) {
      m_queue.finish(std::current_exception());
    }
  }

  LiveSource m_source;
  EventQueue m_queue;
  LiveState& m_live;
  std::thread m_thread;
};

// Client errors (lost connection, server gone, cannot connect) and a server shutting down are
// worth a reconnect; anything else (a purged binlog, missing privileges) is not.
bool worth_reconnecting(const SourceError& e) {
  const unsigned n = e.server_errno();
  return (n >= 2000 && n < 3000) || n == 1053 || n == 1040 || n == 1927 || n == 1152 || n == 1158 ||
         n == 1159 || n == 1160 || n == 1161;
}

std::string where_of(const std::string& file, uint64_t pos) {
  return file + ":" + std::to_string(pos);
}

struct ServerIdentity {
  std::string server_id;
  std::string server_uuid;  // MySQL only
};

ServerIdentity identity_of(mysql::Connection& src) {
  ServerIdentity id;
  id.server_id = src.query("SELECT @@server_id").rows.at(0).at(0).value_or("");
  if (src.flavor() == mysql::Flavor::mysql)
    id.server_uuid = src.query("SELECT @@server_uuid").rows.at(0).at(0).value_or("");
  return id;
}

// The replica's row in my2pg.replica.
struct ReplicaRow {
  bool exists = false;
  std::string target_schema;
  std::string state;
  std::string server_id, server_uuid;
  BinlogPosition position;
  uint32_t last_commit = 0;  // seconds since the epoch
};

ReplicaRow read_replica_row(pg::Connection& tgt, const std::string& db) {
  const RowSet rs = tgt.query(
      "SELECT target_schema, state, coalesce(source_server_id::text, ''), "
      "coalesce(source_server_uuid, ''), binlog_file, binlog_pos, coalesce(gtid_set, ''), "
      "coalesce(extract(epoch FROM last_commit_time)::bigint, 0) "
      "FROM my2pg.replica WHERE source_database = $1",
      {db});
  ReplicaRow row;
  if (rs.rows.empty()) return row;
  const auto& r = rs.rows[0];
  row.exists = true;
  row.target_schema = r[0].value_or("");
  row.state = r[1].value_or("");
  row.server_id = r[2].value_or("");
  row.server_uuid = r[3].value_or("");
  row.position.file = r[4].value_or("");
  row.position.pos = std::stoull(r[5].value_or("0"));
  row.position.gtid_set = r[6].value_or("");
  row.last_commit = static_cast<uint32_t>(std::stoull(r[7].value_or("0")));
  return row;
}

struct SnapshotRow {
  bool done = false;
  std::string target_schema;
  BinlogPosition position;
  std::map<std::string, BinlogPosition> tables;  // source table -> copied at
};

SnapshotRow read_snapshot(pg::Connection& tgt, const std::string& db) {
  SnapshotRow s;
  const RowSet rs = tgt.query(
      "SELECT target_schema, state, binlog_file, binlog_pos, coalesce(gtid_set, '') "
      "FROM my2pg.snapshot WHERE source_database = $1",
      {db});
  if (rs.rows.empty()) return s;
  s.target_schema = rs.rows[0][0].value_or("");
  s.done = rs.rows[0][1] == "done";
  s.position.file = rs.rows[0][2].value_or("");
  s.position.pos = std::stoull(rs.rows[0][3].value_or("0"));
  s.position.gtid_set = rs.rows[0][4].value_or("");
  const RowSet tables = tgt.query(
      "SELECT source_table, binlog_file, binlog_pos FROM my2pg.table_state "
      "WHERE source_database = $1 AND binlog_file IS NOT NULL",
      {db});
  for (const auto& t : tables.rows) {
    BinlogPosition p;
    p.file = t[1].value_or("");
    p.pos = std::stoull(t[2].value_or("0"));
    s.tables[t[0].value_or("")] = p;
  }
  return s;
}

// The source's own conversion of each single-byte character set, for the row decoder: a copy of
// a table got the server's conversion, and the binlog's bytes must become the same text.
void load_byte_tables(mysql::Connection& src) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += fmt::format("{:02X}", b);
  for (size_t i = 0; i <= static_cast<size_t>(binlog::Charset::other); ++i) {
    const auto c = static_cast<binlog::Charset>(i);
    if (!binlog::single_byte(c)) continue;
    const std::string name(binlog::charset_name(c));
    std::vector<std::string> table;
    try {
      const std::string text = src.query("SELECT CONVERT(CONVERT(UNHEX('" + all + "') USING " +
                                         name + ") USING utf8mb4)")
                                   .rows.at(0)
                                   .at(0)
                                   .value_or("");
      // One character per byte, each one to four bytes of UTF-8.
      for (size_t at = 0; at < text.size();) {
        const auto lead = static_cast<unsigned char>(text[at]);
        const size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        table.push_back(text.substr(at, n));
        at += n;
      }
    } catch (const SourceError& e) {
      spdlog::debug("the source converts no {} ({}): iconv's table is used", name, e.what());
      continue;
    }
    if (table.size() == 256) binlog::set_byte_table(c, std::move(table));
  }
}

// A binlog file the server no longer has, or a position beyond its end, cannot be followed
// without losing changes: say so before asking for the stream.
void check_position_available(mysql::Connection& src, const BinlogPosition& start) {
  const RowSet logs = src.query("SHOW BINARY LOGS");
  for (const auto& row : logs.rows) {
    if (row.at(0) != start.file) continue;
    const uint64_t size = std::stoull(row.at(1).value_or("0"));
    if (start.pos > size) {
      throw SourceError("the source's binlog " + start.file + " is " + std::to_string(size) +
                        " bytes long, shorter than the replica's position " +
                        where_of(start.file, start.pos) +
                        ": the server's binary log was reset or this is another server. "
                        "The replica cannot continue without losing changes; copy again "
                        "(my2pg migrate --replace, then replicate)");
    }
    return;
  }
  std::string first = logs.rows.empty() ? "none" : logs.rows.front().at(0).value_or("?");
  throw SourceError("the source no longer has the binlog file " + start.file +
                    " the replica must continue from (position " + where_of(start.file, start.pos) +
                    "; its oldest binlog is " + first +
                    "): it was purged (binlog_expire_logs_seconds, PURGE BINARY LOGS). The "
                    "changes in between are lost to the replica; copy again (my2pg migrate "
                    "--replace, then replicate) and keep binlogs longer than the replica may lag");
}

// Where a MariaDB GTID state begins in the binlog: the server, asked to stream from that state,
// starts at the first transaction after it; its GTID event's position is the file position.
BinlogPosition gtid_start(mysql::Connection& src, const mysql::Endpoint& endpoint,
                          const std::string& gtid) {
  if (src.flavor() != mysql::Flavor::mariadb)
    throw ConfigError("--from-gtid needs a MariaDB source; give MySQL sources --from FILE:POS");
  mysql::StreamStart s;
  s.gtid = gtid;
  s.stop_at_end = true;
  LiveSource probe(endpoint, s);
  binlog::RawEvent raw;
  BinlogPosition p;
  while (probe.next(raw)) {
    if (static_cast<binlog::EventType>(raw.bytes[4]) == binlog::EventType::GTID_EVENT) {
      p.file = raw.file;
      p.pos = raw.position;
      break;
    }
  }
  if (!p.known())
    p = snapshot::current_binlog_position(src);  // nothing after it yet: the current end
  p.gtid_set = gtid;
  spdlog::info("GTID state {} begins at {}", gtid, where_of(p.file, p.pos));
  return p;
}

// What the follower knows about each table id of the stream.
struct MappedTable {
  binlog::TableMapRef map;                  // the map this entry was made for
  int route = -1;                           // -1: not replicated
  std::vector<binlog::ColumnInfo> columns;  // with what the catalog adds
};

// The replica's schema history: the tracked tables, and their mapping for the target.
struct TrackedModel {
  schema::TrackedSchema tracked;
  // Never changed once made: routes point into it, and a model kept for a rollback keeps it.
  std::shared_ptr<const snapshot::SourceModel> mapped;
  bool postgis = false;
};

// The model replicate starts from: the definitions my2pg.source_table keeps (the copy's, moved
// on by every schema change applied since), or, for a target that has none (loaded some other
// way, or by an older my2pg), the source's catalog now, which is then kept.
TrackedModel load_tracked_model(mysql::Connection& src, pg::Connection& tgt, const std::string& db,
                                const snapshot::ModelOptions& options) {
  TrackedModel m;
  m.postgis = snapshot::has_postgis(tgt);
  m.tracked.database = db;
  m.tracked.mariadb = src.flavor() == mysql::Flavor::mariadb;
  const RowSet defaults = src.query(
      "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
      "WHERE SCHEMA_NAME = " +
      src.quote(db));
  if (!defaults.rows.empty()) {
    m.tracked.default_charset = defaults.rows[0][0].value_or(m.tracked.default_charset);
    m.tracked.default_collation = defaults.rows[0][1].value_or("");
  }
  const RowSet saved = tgt.query(
      "SELECT source_table, definition FROM my2pg.source_table WHERE source_database = $1 "
      "ORDER BY source_table",
      {db});
  // No definitions kept: none were ever (a copy made before my2pg kept them, version 9 of the
  // control schema, and no replicate run since), so the catalog stands in; or the replica
  // tracks no table (an empty database copied, or its last table dropped), which stays so.
  const bool none_tracked =
      saved.rows.empty() &&
      tgt.query(
             "SELECT 1 FROM my2pg.schema_version v WHERE v.version = 9 AND (EXISTS (SELECT 1 "
             "FROM my2pg.snapshot s WHERE s.source_database = $1 AND s.finished_at >= "
             "v.applied_at) OR EXISTS (SELECT 1 FROM my2pg.replica r WHERE r.source_database = "
             "$1 AND r.updated_at > v.applied_at))",
             {db})
              .rows.size() == 1;
  if (saved.rows.empty() && !none_tracked) {
    m.mapped =
        std::make_shared<snapshot::SourceModel>(snapshot::load_model(src, db, options, m.postgis));
    for (const schema::Table& t : m.mapped->catalog.tables) {
      m.tracked.tables[t.name] = t;
      if (!t.collation.empty()) m.tracked.table_collations[t.name] = t.collation;
      tgt.query(
          snapshot::kSaveDefinitionSql,
          {db, t.name, schema::create_table_statement(t, t.collation), std::nullopt, std::nullopt});
    }
    return m;
  }
  for (const auto& row : saved.rows) {
    const std::string table = row[0].value_or("");
    try {
      schema::apply_ddl(m.tracked, row[1].value_or(""), db,
                        [](const std::string&) { return true; });
    } catch (const schema::DdlError& e) {
      throw Error("the definition of " + db + "." + table +
                  " kept in my2pg.source_table cannot be read (" + e.what() +
                  "); copy again (my2pg migrate --replace)");
    }
  }
  m.mapped = std::make_shared<snapshot::SourceModel>(
      snapshot::map_model(schema::catalog_of(m.tracked), options, m.postgis));
  return m;
}

// Does a statement run with default database `db` name the replicated database `ours`?
bool concerns_text(const std::string& db, const std::string& query, const std::string& ours) {
  if (db == ours) return true;
  // A qualified name: `ours`.t or ours.t
  return query.find("`" + ours + "`.") != std::string::npos ||
         query.find(ours + ".") != std::string::npos;
}

bool concerns(const binlog::QueryEvent& q, const std::string& ours) {
  return concerns_text(q.database, q.query, ours);
}

class Follower {
 public:
  // `report` takes the counts of what commits, as it commits (it outlives the follower).
  Follower(const ReplicateOptions& options, pg::Connection& tgt, const std::string& db,
           std::vector<Route>& routes, mysql::Flavor flavor, LiveState& live,
           const Heartbeat* heartbeat, TrackedModel model, ReplicateReport& report)
      : m_options(options),
        m_heartbeat(heartbeat),
        m_db(db),
        m_routes(routes),
        m_flavor(flavor),
        m_applier(tgt, routes),
        m_live(live),
        m_batch_counts(routes.size(), {0, 0, 0}),
        m_report(report),
        m_model(std::move(model)) {
    index_routes();
  }

  ReplicateReport& report() { return m_report; }
  BinlogPosition& committed() { return m_committed; }

  // Follows from m_committed until stopped, --until is reached, or an error.
  // Returns true when finished (stop or until), false never; throws on errors.
  void follow(const mysql::Endpoint& endpoint, const BinlogPosition* until) {
    mysql::StreamStart start;
    start.file = m_committed.file;
    start.position = m_committed.pos;
    start.stop_at_end = false;
    start.heartbeat_seconds = 1;
    Reader reader(endpoint, start, std::max<size_t>(m_options.batch_bytes, 16U << 20), m_live);
    binlog::Decoder decoder(start.file);
    decoder.set_stream_checksum(reader.checksum());
    if (m_flavor == mysql::Flavor::mariadb) {
      decoder.set_temporal_precision_lookup(
          [this](const binlog::TableMapEvent& t, size_t column) -> std::optional<uint8_t> {
            if (t.database != m_db) return std::nullopt;
            auto it = m_route_by_name.find(t.table);
            if (it == m_route_by_name.end()) return std::nullopt;
            const auto& cols = m_routes[it->second].source->columns;
            if (column >= cols.size() || !cols[column].fsp) return std::nullopt;
            return static_cast<uint8_t>(*cols[column].fsp);
          });
    }
    // Rows of tables outside the replica are not even decoded.
    decoder.set_table_filter([this](const binlog::TableMapEvent& t) {
      return (t.database == m_db && m_route_by_name.contains(t.table)) || is_heartbeat(t);
    });
    binlog::TransactionFramer framer;
    m_tables.clear();
    m_pending = m_committed;
    m_batch_started = Clock::now();
    EventQueue& queue = reader.queue();
    EventQueue::Item item;
    m_last_event = Clock::now();
    std::vector<binlog::Event> events;
    std::string file = start.file;
    for (;;) {
      const bool stopping = m_options.stop != nullptr && m_options.stop->load();
      if (!framer.in_transaction() && m_live.detached()) {
        // cutover detached the replica (or its row is gone): apply nothing more.
        settle();
        m_applier.rollback();
        m_report.detached = true;
        return;
      }
      if (!framer.in_transaction()) {
        if (stopping || reached(until)) {
          commit(true);
          settle();
          if (reached(until)) m_report.caught_up = true;
          return;
        }
        if (m_live.hold_active()) {
          if (!m_live.hold_expired(m_options.hold_limit_seconds)) {
            if (hold()) {
              std::this_thread::sleep_for(std::chrono::milliseconds(10));
              continue;
            }
          } else if (!m_hold_warned) {
            m_hold_warned = true;
            spdlog::warn("held for verify longer than {:.0f} s: going on without waiting for it",
                         m_options.hold_limit_seconds);
          }
        } else {
          m_hold_warned = false;
          // Read after the hold: the monitor publishes the paused tables before it lets go of a
          // hold, so a resync's resumed table is seen at the position it was held at.
          if (m_live.paused_version() != m_paused_version) refresh_paused();
        }
      }
      const bool idle_commit_due = !framer.in_transaction() && has_work() && !m_applier.busy();
      const auto wait = std::chrono::milliseconds(idle_commit_due ? 0 : 100);
      const EventQueue::Pop got = queue.pop(item, wait);
      if (got == EventQueue::Pop::item) m_last_event = Clock::now();
      if (got == EventQueue::Pop::timeout &&
          seconds_since(m_last_event) > m_options.source_timeout) {
        // The server sends a heartbeat every second when idle: silence means a dead link.
        throw SourceError(fmt::format("no event and no heartbeat from the source for {:.0f} s "
                                      "(--source-timeout)",
                                      m_options.source_timeout),
                          2013);
      }
      if (got == EventQueue::Pop::timeout) {
        if (!framer.in_transaction() && has_work() && !m_applier.busy()) commit(false);
        // Nothing to read: a batch that has committed meanwhile becomes the replica's position
        // now rather than at the next event (lag, status and metrics see it at once).
        if (m_has_inflight && !m_applier.busy()) settle();
        if (!framer.in_transaction()) publish_idle();
        if (stopping && framer.in_transaction() && ++m_stop_waits > 100) {
          spdlog::warn(
              "stopping: the transaction in flight did not complete within 10 s; its "
              "changes are rolled back and will be applied by the next run");
          settle();
          m_applier.rollback();
          return;
        }
        continue;
      }
      if (got == EventQueue::Pop::finished) {
        if (auto e = queue.error()) std::rethrow_exception(e);
        throw SourceError("the source ended the binlog stream", 2013);
      }
      if (!item.file.empty() && item.file != file) {
        file = item.file;
        decoder.set_file(file);
      }
      events.clear();
      m_item_received = item.received_at;
      decoder.decode(item.bytes, item.position, events);
      for (const binlog::Event& e : events) handle(e, framer, file);
      if (!framer.in_transaction()) publish_idle();
    }
  }

  // On the way out: commit nothing more, keep the position.
  void abandon() {
    try {
      settle();                        // a batch in flight that commits still counts
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): its changes roll back
      m_has_inflight = false;
    }
    m_applier.rollback();
    m_batch_tx = 0;
    m_batch_changes = 0;
    for (auto& c : m_batch_counts) c = {0, 0, 0};
    m_tx_changes = 0;
    m_position_dirty = false;
    m_has_ddl = false;
    if (m_before_ddl) restore_model();
  }

  // --on-table-error pause set `table` aside: a route made for it later (a schema change applied
  // again after a rollback) starts paused.
  void pause_name(const std::string& table) { m_paused_names.insert(table); }
  // One source transaction per commit until everything read before a failure is committed: the
  // transactions before the failing one are applied, then it stops the run, or, when it does not
  // fail again (a lock or a timeout that passed), batches gather again.
  void go_single() {
    m_single = true;
    m_single_until = m_pending;
  }
  bool single() const { return m_single; }

 private:
  bool has_work() const {
    return m_applier.buffered_changes() != 0 || m_applier.in_transaction() || m_batch_tx != 0 ||
           m_position_dirty;
  }

  bool is_heartbeat(const binlog::TableMapEvent& t) const {
    return m_heartbeat != nullptr && t.database == m_heartbeat->database &&
           t.table == m_heartbeat->table;
  }

  // This replica's heartbeat rows: the source time each was written, kept with the position
  // after its transaction until that position is applied.
  void heartbeat_rows(const binlog::RowsEvent& rows) {
    for (const binlog::RowImage& image : rows.after) {
      if (image.values.size() < 2) continue;
      const binlog::Value& id = image.values[0];
      const binlog::Value& at = image.values[1];
      const uint64_t n =
          id.kind == binlog::ValueKind::unsigned_int ? id.u : static_cast<uint64_t>(id.i);
      if (n != m_heartbeat->replica_id || at.kind != binlog::ValueKind::datetime) continue;
      m_heartbeat_in_tx = epoch_seconds(at.t.year, at.t.month, at.t.day, at.t.hour, at.t.minute,
                                        at.t.second, at.t.micros);
    }
  }

  // The heartbeats whose transactions are now applied (everything before `applied` is).
  void publish_heartbeats(const BinlogPosition& applied) {
    while (!m_heartbeats.empty() &&
           compare_positions(m_heartbeats.front().second.file, m_heartbeats.front().second.pos,
                             applied.file, applied.pos) <= 0) {
      m_live.heartbeat_applied(m_heartbeats.front().first);
      m_heartbeats.pop_front();
    }
  }

  // Nothing of ours read and not applied: the position read so far counts as applied (the
  // next commit writes it down; until then a restart reads those events again, and skips them).
  void publish_idle() {
    if (m_has_inflight || m_batch_tx != 0 || m_batch_changes != 0 || m_applier.in_transaction() ||
        m_applier.buffered_changes() != 0)
      return;
    if (m_pending.pos == m_published.pos && m_pending.file == m_published.file) return;
    m_published = m_pending;
    m_live.applied(m_pending, m_last_commit_estimate);
    publish_heartbeats(m_pending);
  }

  // my2pg verify holds the replica (see ReplicaHold): everything read so far is committed, then
  // nothing more is applied until verify says how far to go, and nothing past that until it lets
  // go. True while held here.
  bool hold() {
    const std::optional<BinlogPosition> target = m_live.hold_target();
    if (target && !reached(&*target)) return false;  // on towards it
    commit(true);
    settle();
    m_live.answer_hold(target ? "reached" : "paused", m_committed);
    return true;
  }

  // my2pg.paused_table as the monitor last read it: a paused table that left it (resync) is
  // applied again from here, the position the copy was made at. Only this run pauses tables;
  // one whose resync then fails is found by the check of its next batch (Route::resumed). A
  // list read before this run paused, made or renamed a table knows nothing of it (a table
  // renamed while paused still has its row under the old name).
  void refresh_paused() {
    m_paused_version = m_live.paused_version();
    const auto [paused, read_at] = m_live.paused_tables();
    for (Route& r : m_routes) {
      if (!r.paused || r.dropped || read_at < r.settled_at ||
          std::find(paused.begin(), paused.end(), r.source->name) != paused.end())
        continue;
      r.paused = false;
      r.copied_file = m_pending.file;
      r.copied_pos = m_pending.pos;
      r.resumed = true;
      m_paused_names.erase(r.source->name);
      spdlog::info("{} was copied again (resync): applied from {} on", r.name,
                   where_of(m_pending.file, m_pending.pos));
    }
  }

 public:
  void set_paused_version(uint64_t v) { m_paused_version = v; }

 private:
  bool reached(const BinlogPosition* until) const {
    return until != nullptr &&
           compare_positions(m_pending.file, m_pending.pos, until->file, until->pos) >= 0;
  }

  void handle(const binlog::Event& e, binlog::TransactionFramer& framer, const std::string& file) {
    const binlog::TxRole role = framer.add(e, file);
    switch (role) {
      case binlog::TxRole::begin:
        m_tx_changes = 0;
        m_has_ddl = false;
        m_heartbeat_in_tx.reset();
        return;
      case binlog::TxRole::change:
        change(e, framer, file);
        return;
      case binlog::TxRole::commit:
      case binlog::TxRole::rollback:
        if (framer.current().xa_prepared && m_tx_changes != 0) {
          // Prepared, not committed: it may still roll back. (The run retries one transaction
          // per commit, so that everything before it is applied, and stops here again.)
          throw Error("an XA transaction prepared at binlog " + where_of(file, e.position) +
                          " changes replicated tables of " + m_db +
                          "; my2pg does not replicate XA transactions yet (they may still roll "
                          "back), so it stops before it. Commit or roll it back on the source "
                          "without XA, or copy the affected tables again after XA COMMIT",
                      ExitCode::source);
        }
        // A statement that commits on its own (DDL) is its own transaction's end.
        if (const auto* q = std::get_if<binlog::QueryEvent>(&e.body))
          statement(*q, file, e.position);
        // A ROLLBACK that ends logged rows: they are of non-transactional tables, whose
        // changes the rollback did not undo on the source; they are applied as well.
        transaction_end(framer.current());
        return;
      case binlog::TxRole::outside:
        outside(e, framer, file);
        return;
    }
  }

  // Events between transactions move the position too: a ROTATE to the next file, and the
  // FORMAT_DESCRIPTION, GTID list and checkpoint events that open it, so that a server whose
  // current position is just past them counts as caught up. Heartbeats and the events the
  // server sends when a stream starts (end position 0) say nothing about the position.
  void outside(const binlog::Event& e, const binlog::TransactionFramer& framer,
               const std::string& file) {
    if (framer.in_transaction()) return;
    if (const auto* rotate = std::get_if<binlog::RotateEvent>(&e.body)) {
      if (rotate->position >= 4 && compare_positions(rotate->next_file, rotate->position,
                                                     m_pending.file, m_pending.pos) > 0) {
        m_pending.file = rotate->next_file;
        m_pending.pos = rotate->position;
        m_position_dirty = true;
      }
      return;
    }
    if (std::holds_alternative<binlog::HeartbeatEvent>(e.body) || e.in_payload ||
        e.header.log_pos == 0 || file.empty())
      return;
    if (compare_positions(file, e.header.log_pos, m_pending.file, m_pending.pos) > 0) {
      m_pending.file = file;
      m_pending.pos = e.header.log_pos;
      m_position_dirty = true;
    }
  }

  void change(const binlog::Event& e, const binlog::TransactionFramer& framer,
              const std::string& file) {
    if (const auto* map = std::get_if<binlog::TableMapRef>(&e.body)) {
      map_table(*map, framer.current(), file, e.position);
    } else if (const auto* rows = std::get_if<binlog::RowsEvent>(&e.body)) {
      const auto found = m_tables.find(rows->table_id);
      if (found == m_tables.end()) {
        throw DecodeError("binlog " + where_of(file, e.position) + ": a rows event for table id " +
                          std::to_string(rows->table_id) + " without its TABLE_MAP");
      }
      const MappedTable& t = found->second;
      if (t.route == kHeartbeatRoute) {
        heartbeat_rows(*rows);
        return;
      }
      if (t.route < 0) return;
      const Route& r = m_routes[static_cast<size_t>(t.route)];
      if (r.paused) return;  // set aside (--on-table-error pause) until copied again
      const binlog::TxInfo& tx = framer.current();
      // The copy of this table already holds transactions that began before its position.
      if (in_copy(r, tx)) return;
      m_applier.add(static_cast<size_t>(t.route), *rows, t.columns, where_of(file, e.position));
      // What the source's foreign-key actions did, unlogged, right after this event.
      if (!r.cascades.empty())
        m_applier.cascade(static_cast<size_t>(t.route), *rows, t.columns,
                          where_of(file, e.position));
      const uint64_t n = std::max(rows->before.size(), rows->after.size());
      m_tx_changes += n;
      const size_t kind = rows->kind == binlog::RowsKind::write    ? 0
                          : rows->kind == binlog::RowsKind::update ? 1
                                                                   : 2;
      m_batch_counts[static_cast<size_t>(t.route)][kind] += n;
      if (m_applier.buffered_bytes() > m_options.batch_bytes) {
        // A transaction too large to hold: applied as it comes, committed at its end.
        spdlog::debug("large transaction at {}: {} bytes applied ahead of its commit",
                      where_of(tx.start_file, tx.start_pos), m_applier.buffered_bytes());
        m_applier.flush(where_of(file, e.position));
      }
    } else if (const auto* q = std::get_if<binlog::QueryEvent>(&e.body)) {
      statement(*q, file, e.position);
      // Inside a transaction (CREATE TABLE ... SELECT logs the table, then its rows): the
      // schema change comes before the rows that follow it.
      if (m_has_ddl) apply_ddl(framer.current());
    }
  }

  // A statement of the source's: row changes logged as statements stop replication; schema
  // changes are kept for the end of their transaction (they commit on their own).
  void statement(const binlog::QueryEvent& q, const std::string& file, uint64_t position) {
    // The statement's text is in its session's client character set: UTF-8 for the parser and
    // the control tables (a latin1 session's é is one byte).
    std::string text;
    const binlog::Charset client = q.status.charset
                                       ? binlog::charset_of_collation(q.status.charset->client)
                                       : binlog::Charset::utf8;
    if (client == binlog::Charset::utf8 || client == binlog::Charset::ascii ||
        client == binlog::Charset::binary || !binlog::append_utf8(q.query, client, text))
      text = q.query;
    // Under sql_mode NO_BACKSLASH_ESCAPES a backslash in a string is itself.
    const bool escapes = !q.status.sql_mode || (*q.status.sql_mode & kNoBackslashEscapes) == 0;
    Statement st = classify_statement(text, escapes);
    if (st.kind == StatementKind::ignored) return;
    if (st.kind == StatementKind::dml) {
      if (!concerns(q, m_db)) return;
      throw Error("the source logged a change to " + m_db + " as a statement at binlog " +
                      where_of(file, position) + " (" + text.substr(0, 200) +
                      "): my2pg applies row events only. The session that wrote it ran with "
                      "binlog_format STATEMENT or MIXED; set binlog_format = ROW globally and for "
                      "every session, then copy the affected tables again",
                  ExitCode::source);
    }
    m_ddl = std::move(st);
    m_ddl_query = std::move(text);
    m_ddl_escapes = escapes;
    m_ddl_db = q.database;
    m_ddl_at = where_of(file, position);
    m_ddl_file = file;
    m_ddl_pos = position;
    m_has_ddl = true;
  }

  // A TABLE_MAP: which route its rows go to, checked against the catalog once per map.
  void map_table(const binlog::TableMapRef& map, const binlog::TxInfo& tx, const std::string& file,
                 uint64_t position) {
    MappedTable& t = m_tables[map->table_id];
    if (t.map == map) return;
    t = MappedTable{};
    t.map = map;
    if (is_heartbeat(*map)) {
      t.route = kHeartbeatRoute;
      return;
    }
    if (map->database != m_db) return;
    const auto it = m_route_by_name.find(map->table);
    if (it == m_route_by_name.end()) return;
    const Route& r = m_routes[it->second];
    if (in_copy(r, tx)) {
      // Rows the table's copy holds (they are skipped): its definition is the copy's, which can
      // be later than this map. Checked again for the next transaction.
      t.map = nullptr;
      t.columns = map->columns;
      t.route = static_cast<int>(it->second);
      return;
    }
    const auto& cols = r.source->columns;
    // MariaDB's hidden columns of UNIQUE keys on long values (DB_ROW_HASH_1, ...) come last:
    // they are the server's, not the table's, and their values are left out.
    size_t hidden = 0;
    while (map->has_column_names && map->columns.size() > cols.size() + hidden &&
           map->columns[map->columns.size() - 1 - hidden].name.rfind("DB_ROW_HASH_", 0) == 0)
      ++hidden;
    if (map->columns.size() != cols.size() + hidden) {
      throw Error("the binlog's definition of " + r.name + " at " + where_of(file, position) +
                      " has " + std::to_string(map->columns.size()) + " columns, the replica's " +
                      "definition " + std::to_string(cols.size()) +
                      ": the table was changed in a way the replica's schema history did not "
                      "follow (a statement skipped with --on-ddl skip, or made before the "
                      "replica's position but after its copy); with replicate stopped, copy "
                      "the table again (my2pg resync --table " +
                      map->table + "), then start it",
                  ExitCode::decode);
    }
    t.columns.assign(map->columns.begin(), map->columns.begin() + static_cast<long>(cols.size()));
    for (size_t i = 0; i < cols.size(); ++i) {
      if (map->has_column_names && map->columns[i].name != cols[i].name) {
        throw Error("the binlog's definition of " + r.name + " at " + where_of(file, position) +
                        " names column " + std::to_string(i + 1) + " '" + map->columns[i].name +
                        "', the replica's definition '" + cols[i].name +
                        "': the table was changed in a way the replica's schema history did "
                        "not follow; with replicate stopped, copy the table again (my2pg "
                        "resync --table " +
                        map->table + "), then start it",
                    ExitCode::decode);
      }
      const std::string& type = cols[i].data_type;
      if (type == "uuid") t.columns[i].mariadb_fbt = binlog::FixedBinaryType::uuid;
      if (type == "inet4") t.columns[i].mariadb_fbt = binlog::FixedBinaryType::inet4;
      if (type == "inet6") t.columns[i].mariadb_fbt = binlog::FixedBinaryType::inet6;
    }
    t.route = static_cast<int>(it->second);
  }

  bool ours(const TableName& t) const {
    return (t.database.empty() ? m_ddl_db : t.database) == m_db;
  }
  int route_of(const TableName& t) const {
    if (!ours(t)) return -1;
    const auto it = m_route_by_name.find(t.table);
    return it == m_route_by_name.end() ? -1 : static_cast<int>(it->second);
  }

  // The table's copy already holds the transaction `tx` (it began before the copy's position).
  bool in_copy(const Route& r, const binlog::TxInfo& tx) const {
    return !r.copied_file.empty() &&
           compare_positions(tx.start_file, tx.start_pos, r.copied_file, r.copied_pos) < 0;
  }

  void record_ddl(const std::string& gtid, const char* action, const std::string& reason,
                  const std::string& target_sql = {}) {
    m_applier.run(
        "INSERT INTO my2pg.schema_history (source_database, binlog_file, binlog_pos, gtid, "
        "statement, action, reason, target_sql) VALUES ($1, $2, $3, nullif($4, ''), $5, $6, "
        "nullif($7, ''), nullif($8, ''))",
        {m_db, m_ddl_file, std::to_string(m_ddl_pos), gtid, m_ddl_query, std::string(action),
         reason, target_sql},
        m_ddl_at);
    ++m_tx_changes;
  }

  // Tables of the database the replica takes (--include/--exclude), the heartbeat table aside.
  bool selected(const std::string& table) const {
    if (m_heartbeat != nullptr && m_heartbeat->database == m_db && m_heartbeat->table == table)
      return false;
    return snapshot::table_selected(m_db + "." + table, m_options.model);
  }

  void index_routes() {
    m_route_by_name.clear();
    for (size_t i = 0; i < m_routes.size(); ++i) {
      if (!m_routes[i].dropped) m_route_by_name[m_routes[i].source->name] = i;
    }
  }

  // A schema statement of the supported subset: the tracked model follows it, the target is
  // changed to match in the batch's transaction (with the definitions kept in
  // my2pg.source_table), and the routes are made again. False, with m_ddl_problem saying why,
  // for a statement outside the subset.
  bool track(const binlog::TxInfo& tx) {
    settle();  // a batch that committed meanwhile takes its schema changes with it
    schema::TrackedSchema next = m_model.tracked;
    std::vector<schema::TableChange> changes;
    try {
      changes = schema::apply_ddl(
          next, m_ddl_query, m_ddl_db, [this](const std::string& t) { return selected(t); },
          m_ddl_escapes);
    } catch (const schema::DdlError& e) {
      m_ddl_problem = e.what();
      return false;
    }
    if (changes.empty()) return true;  // nothing of the replica's
    auto after = std::make_shared<const snapshot::SourceModel>(
        snapshot::map_model(schema::catalog_of(next), m_options.model, m_model.postgis));
    const std::vector<snapshot::Statement> statements =
        target_changes(*m_model.mapped, *after, changes);
    std::vector<snapshot::NotMigrated> refused;
    try {
      refused = m_applier.run_statements(statements, m_ddl_at);
    } catch (const TargetError& e) {
      // PostgreSQL refused it (syntax, data, constraint, unsupported): a deadlock or a timeout
      // is retried instead.
      if (!m_options.skip_unsupported_ddl || !e.refused())
        throw TargetError("the source's " + m_ddl_query.substr(0, 300) + "\n" + e.what(),
                          e.sqlstate());
      // --on-ddl skip: PostgreSQL refused it (rolled back to before it); recorded, skipped.
      m_ddl_problem = e.what();
      return false;
    }
    if (!m_before_ddl) m_before_ddl = Committed{m_model, m_routes, m_route_by_name, 0};
    std::string reason, target_sql;
    for (const auto& r : refused) {
      reason += (reason.empty() ? "" : "; ") + r.object + ": " + r.reason;
      spdlog::warn("{} at binlog {}: {}: {}", m_ddl_query.substr(0, 100), m_ddl_at, r.object,
                   r.reason);
    }
    for (const auto& st : statements) target_sql += st.sql + ";\n";
    keep_definitions(next, changes, *after);
    record_ddl(tx.gtid, "applied", reason, target_sql);
    spdlog::info("applied {} at binlog {} ({} statement(s) on the target)", m_ddl.verb, m_ddl_at,
                 statements.size());
    install(std::move(after), changes);
    m_model.tracked = std::move(next);
    return true;
  }

  // In the batch's transaction: the changed tables' definitions in my2pg.source_table, their
  // pauses and copy states under their new names (gone with dropped tables), and the changed
  // identifiers.
  void keep_definitions(const schema::TrackedSchema& next,
                        const std::vector<schema::TableChange>& changes,
                        const snapshot::SourceModel& after) {
    for (const schema::TableChange& c : changes) {
      const bool gone = c.kind == schema::TableChange::Kind::dropped ||
                        c.kind == schema::TableChange::Kind::renamed;
      const std::string old_name =
          c.kind == schema::TableChange::Kind::renamed ? c.old_name : c.table;
      if (gone) {
        m_applier.run(
            "DELETE FROM my2pg.source_table WHERE source_database = $1 AND source_table = $2",
            {m_db, old_name}, m_ddl_at);
      }
      // A paused table stays paused, and its copy state goes, under its new name.
      for (const char* table : {"paused_table", "table_state"}) {
        if (c.kind == schema::TableChange::Kind::renamed) {
          m_applier.run(std::string("UPDATE my2pg.") + table +
                            " SET source_table = $3 WHERE source_database = $1 AND "
                            "source_table = $2",
                        {m_db, old_name, c.table}, m_ddl_at);
        } else if (c.kind == schema::TableChange::Kind::dropped) {
          m_applier.run(std::string("DELETE FROM my2pg.") + table +
                            " WHERE source_database = $1 AND source_table = $2",
                        {m_db, old_name}, m_ddl_at);
        }
      }
      const auto t = next.tables.find(c.table);
      if (c.kind != schema::TableChange::Kind::dropped && t != next.tables.end()) {
        const auto collation = next.table_collations.find(c.table);
        m_applier.run(snapshot::kSaveDefinitionSql,
                      {m_db, c.table,
                       schema::create_table_statement(
                           t->second, collation == next.table_collations.end() ? std::string()
                                                                               : collation->second),
                       m_ddl_file, std::to_string(m_ddl_pos)},
                      m_ddl_at);
      }
    }
    if (!after.names.changed().empty() || !m_model.mapped->names.changed().empty()) {
      snapshot::record_names(
          [&](const std::string& sql, const std::vector<std::optional<std::string>>& params) {
            m_applier.run(sql, params, m_ddl_at);
          },
          m_db, after.names);
    }
  }

  // The routes for a new mapped model: a route keeps its index (and its pause and copy
  // position) through renames; new tables get new routes; dropped ones stay, marked dropped.
  void install(std::shared_ptr<const snapshot::SourceModel> after,
               const std::vector<schema::TableChange>& changes) {
    m_applier.wait();  // the applier's thread reads the routes while it commits
    std::vector<size_t> changed;
    for (const schema::TableChange& c : changes) {
      const auto it =
          m_route_by_name.find(c.kind == schema::TableChange::Kind::renamed ? c.old_name : c.table);
      switch (c.kind) {
        case schema::TableChange::Kind::created:
          if (it == m_route_by_name.end()) {
            m_route_by_name[c.table] = m_routes.size();
            changed.push_back(m_routes.size());
            m_routes.emplace_back();
            m_batch_counts.push_back({0, 0, 0});
          }
          break;
        case schema::TableChange::Kind::renamed:
          if (it != m_route_by_name.end()) {
            const size_t route = it->second;
            m_route_by_name.erase(it);
            m_route_by_name[c.table] = route;
            changed.push_back(route);
            // my2pg.paused_table names it so until this commits.
            m_routes[route].settled_at = kUnsettled;
            if (m_paused_names.erase(c.old_name) != 0) m_paused_names.insert(c.table);
          }
          break;
        case schema::TableChange::Kind::dropped:
          if (it != m_route_by_name.end()) {
            retire(it->second);
            m_route_by_name.erase(it);
          }
          m_paused_names.erase(c.table);  // its pause goes with it (my2pg.paused_table too)
          break;
        case schema::TableChange::Kind::altered:
          if (it != m_route_by_name.end()) changed.push_back(it->second);
          break;
      }
    }
    std::vector<Route> fresh = make_routes(after->catalog.tables, after->targets);
    std::vector<size_t> slot(fresh.size());
    for (size_t k = 0; k < fresh.size(); ++k) {
      const auto it = m_route_by_name.find(after->catalog.tables[k].name);
      if (it == m_route_by_name.end())
        throw Error("internal: no route for " + fresh[k].name + " after a schema change");
      slot[k] = it->second;
    }
    for (const auto& [name, route] : m_route_by_name) {
      if (std::find(slot.begin(), slot.end(), route) == slot.end()) {
        retire(route);  // renamed out of the replica's selection
      }
    }
    for (size_t k = 0; k < fresh.size(); ++k) {
      Route& old = m_routes[slot[k]];
      Route r = std::move(fresh[k]);
      for (Cascade& c : r.cascades) c.child = slot[c.child];
      r.paused = old.paused || (old.source == nullptr && m_paused_names.count(r.source->name) != 0);
      r.settled_at = old.source == nullptr ? kUnsettled : old.settled_at;  // made by the change
      r.copied_file = old.copied_file;
      r.copied_pos = old.copied_pos;
      old = std::move(r);
      m_live.name_table(slot[k], m_routes[slot[k]].name);
    }
    m_model.mapped = std::move(after);
    index_routes();
    m_tables.clear();  // table ids map again, to the new routes
    m_applier.routes_changed(changed);
  }

  // The schema changes since the last commit rolled back with their batch: the model and the
  // routes as of that commit again (the stream is read again from there).
  void restore_model() {
    Committed c = std::move(*m_before_ddl);
    m_before_ddl.reset();
    // Pauses and resyncs since then are not the schema changes': they stay as they are now.
    std::map<std::string, Route> now;
    for (const Route& r : m_routes) {
      if (!r.dropped && r.source != nullptr) now.emplace(r.source->name, r);
    }
    m_model = std::move(c.model);
    m_routes = std::move(c.routes);
    m_route_by_name = std::move(c.route_by_name);
    m_tables.clear();
    m_batch_counts.assign(m_routes.size(), {0, 0, 0});
    std::vector<size_t> all;
    for (size_t i = 0; i < m_routes.size(); ++i) {
      Route& r = m_routes[i];
      // The lists of paused tables never showed what rolled back: a route keeps what it had
      // then, or what a pause since gave it (not a route the changes made, never settled).
      if (const auto it = now.find(r.source->name); it != now.end()) {
        r.paused = it->second.paused;
        r.copied_file = it->second.copied_file;
        r.copied_pos = it->second.copied_pos;
        if (it->second.settled_at != kUnsettled)
          r.settled_at = std::max(r.settled_at, it->second.settled_at);
      }
      if (m_paused_names.count(r.source->name) != 0 && !r.paused) {
        r.paused = true;  // paused by this run (committed): lists read before now lack it
        r.settled_at = wall_seconds();
      }
      m_live.name_table(i, r.name);
      all.push_back(i);
    }
    m_applier.routes_changed(all);
    spdlog::info(
        "schema changes after {} rolled back with their batch: the definitions as of "
        "then are back",
        m_committed.display());
  }

  // A route whose table left the replica: it keeps a copy of its definition (nothing points
  // into the model it came from any more) and gets no changes.
  void retire(size_t route) {
    Route& r = m_routes[route];
    if (r.dropped || r.source == nullptr) return;
    m_gone_sources.push_back(*r.source);
    m_gone_targets.push_back(*r.target);
    r.source = &m_gone_sources.back();
    r.target = &m_gone_targets.back();
    r.cascades.clear();
    r.dropped = true;
  }

  // A schema change of the source, in order with the row changes around it.
  void apply_ddl(const binlog::TxInfo& tx) {
    m_has_ddl = false;
    const Statement& st = m_ddl;
    bool relevant = false;
    switch (st.kind) {
      case StatementKind::truncate:
        for (const TableName& t : st.tables) {
          if (const int route = route_of(t); route >= 0 &&
                                             !in_copy(m_routes[static_cast<size_t>(route)], tx) &&
                                             !m_routes[static_cast<size_t>(route)].paused) {
            m_applier.truncate(static_cast<size_t>(route), m_ddl_at);
            record_ddl(tx.gtid, "applied", {});
          }
        }
        return;
      case StatementKind::table: {
        bool copied = false;
        for (const TableName& t : st.tables) {
          const int route = route_of(t);
          if (route >= 0 && in_copy(m_routes[static_cast<size_t>(route)], tx)) {
            copied = true;
            continue;
          }
          relevant = relevant || route >= 0 || (ours(t) && selected(t.table));
        }
        if (!relevant && copied) {
          // The table was copied after this statement: its copy and definition hold it.
          record_ddl(tx.gtid, "skipped", "the table's copy was made after this statement");
          return;
        }
        if (relevant && track(tx)) return;
        break;
      }
      case StatementKind::database:
        if (st.database != m_db) return;
        if (st.verb != "DROP DATABASE") {
          record_ddl(tx.gtid, "skipped", "database options do not carry over");
          return;
        }
        relevant = true;
        if (track(tx)) return;
        break;
      case StatementKind::object:
        if (!concerns_text(m_ddl_db, m_ddl_query, m_db)) return;
        spdlog::info(
            "{} at binlog {} recorded in my2pg.schema_history and skipped: the target "
            "does not follow views, triggers, routines or events",
            st.verb, m_ddl_at);
        record_ddl(tx.gtid, "skipped", "views, triggers, routines and events are not replicated");
        return;
      default:
        relevant = concerns_text(m_ddl_db, m_ddl_query, m_db);
        break;
    }
    if (!relevant) return;
    const std::string why =
        m_ddl_problem.empty() ? "my2pg does not replicate " + st.verb : m_ddl_problem;
    m_ddl_problem.clear();
    if (m_options.skip_unsupported_ddl) {
      spdlog::warn(
          "{} at binlog {} is not replicated ({}); skipped and recorded in "
          "my2pg.schema_history (--on-ddl skip): {}",
          st.verb, m_ddl_at, why, m_ddl_query.substr(0, 300));
      record_ddl(tx.gtid, "skipped", "--on-ddl skip: " + why);
      return;
    }
    commit(true);  // everything before the statement is applied
    settle();
    throw Error("the source changed the schema of " + m_db + " at binlog " + m_ddl_at + ": " +
                    m_ddl_query.substr(0, 300) + "\n" + why +
                    ", so replication stops here (the position stays before this statement). "
                    "Apply the change to the target yourself and go on with --on-ddl skip (the "
                    "affected tables then need my2pg resync --table), or copy again (my2pg "
                    "migrate --replace, then replicate)",
                ExitCode::source);
  }

  void transaction_end(const binlog::TxInfo& tx) {
    if (m_has_ddl) apply_ddl(tx);
    m_pending.file = tx.end_file;
    m_pending.pos = tx.end_pos;
    m_pending.gtid_set = advance_gtid_set(m_pending.gtid_set, tx.gtid);
    m_last_gtid = tx.gtid;
    m_last_commit = tx.timestamp;
    m_last_commit_estimate = commit_time_estimate(tx.timestamp, m_item_received);
    m_position_dirty = true;
    if (m_heartbeat_in_tx) {
      m_heartbeats.emplace_back(*m_heartbeat_in_tx, m_pending);
      if (m_heartbeats.size() > 256) m_heartbeats.pop_front();
      m_heartbeat_in_tx.reset();
    }
    if (m_tx_changes != 0) ++m_batch_tx;
    m_batch_changes += m_tx_changes;
    m_tx_changes = 0;
    if (m_batch_tx == 0 && m_batch_changes == 0) {
      // Nothing of ours: the position moves on, written now and then.
      if (seconds_since(m_last_write) >= 1.0) commit(true);
      return;
    }
    if (m_batch_changes >= m_options.batch_rows ||
        m_applier.buffered_bytes() >= m_options.batch_bytes ||
        seconds_since(m_batch_started) >= m_options.batch_seconds || !m_applier.busy() ||
        m_single) {
      commit(false);
    }
  }

  // Hands the batch to the applier's thread (which commits it with the position) and goes on
  // reading; the batch before it must have committed first.
  void commit(bool force) {
    if (!force && !has_work()) return;
    if (!m_position_dirty && !m_applier.in_transaction() && m_applier.buffered_changes() == 0)
      return;
    settle();
    const std::string where = where_of(m_pending.file, m_pending.pos);
    spdlog::debug("batch of {} transaction(s), {} row change(s) up to {} (gathered over {:.1f} ms)",
                  m_batch_tx, m_batch_changes, where, seconds_since(m_batch_started) * 1000);
    m_inflight_number = m_applier.commit(
        "UPDATE my2pg.replica SET binlog_file = $2, binlog_pos = $3, gtid_set = nullif($4, ''), "
        "last_gtid = coalesce(nullif($5, ''), last_gtid), last_commit_time = "
        "coalesce(to_timestamp(nullif($6, '0')::bigint), last_commit_time), "
        "transactions_applied = transactions_applied + $7, rows_applied = rows_applied + $8, "
        "state = 'following', last_error = NULL, updated_at = now() WHERE source_database = $1 "
        "AND state <> 'detached' RETURNING 1",
        {m_db, m_pending.file, std::to_string(m_pending.pos), m_pending.gtid_set, m_last_gtid,
         std::to_string(m_last_commit), std::to_string(m_batch_tx),
         std::to_string(m_batch_changes)},
        where);
    if (m_before_ddl && m_before_ddl->commit_number == 0)
      m_before_ddl->commit_number = m_inflight_number;
    m_inflight = m_pending;
    m_inflight_tx = m_batch_tx;
    m_inflight_changes = m_batch_changes;
    m_inflight_commit = m_last_commit_estimate;
    std::swap(m_inflight_counts, m_batch_counts);
    m_batch_counts.assign(m_routes.size(), {0, 0, 0});
    m_has_inflight = true;
    m_batch_tx = 0;
    m_batch_changes = 0;
    m_position_dirty = false;
    m_batch_started = Clock::now();
    m_last_write = Clock::now();
  }

  // Waits for the batch in flight; once it has committed, its position is the replica's. A
  // batch whose commit failed (its error may have surfaced elsewhere) moves nothing.
  void settle() {
    try {
      m_applier.wait();
    } catch (...) {
      m_has_inflight = false;  // it rolled back: the position stays where it was
      m_live.failed();
      throw;
    }
    if (!m_has_inflight) return;
    m_has_inflight = false;
    if (m_applier.commits_done() < m_inflight_number) return;
    if (m_before_ddl && m_before_ddl->commit_number != 0 &&
        m_applier.commits_done() >= m_before_ddl->commit_number) {
      m_before_ddl.reset();  // the schema changes are committed
      // my2pg.paused_table has the made and renamed tables' rows now; lists read before this
      // are not looked at for them.
      for (Route& r : m_routes) {
        if (r.settled_at == kUnsettled) r.settled_at = wall_seconds();
      }
    }
    m_committed = m_inflight;
    if (m_single && compare_positions(m_committed.file, m_committed.pos, m_single_until.file,
                                      m_single_until.pos) >= 0) {
      m_single = false;
      spdlog::info("applied up to {}, past the batch that failed: gathering batches again",
                   m_committed.display());
    }
    m_report.position = m_committed;
    m_report.transactions += m_inflight_tx;
    m_report.row_changes += m_inflight_changes;
    m_live.applied(m_committed, m_inflight_commit);
    publish_heartbeats(m_committed);
    m_live.committed_batch(m_inflight_tx, m_inflight_changes, m_applier.last_commit_seconds(),
                           m_inflight_counts);
  }

  static constexpr int kHeartbeatRoute = -2;
  const ReplicateOptions& m_options;
  const Heartbeat* m_heartbeat;
  std::optional<double> m_heartbeat_in_tx;
  std::deque<std::pair<double, BinlogPosition>> m_heartbeats;  // read, not yet applied
  std::string m_db;
  std::vector<Route>& m_routes;
  mysql::Flavor m_flavor;
  Applier m_applier;
  LiveState& m_live;
  // Row changes by route and kind (insert, update, delete): of the batch being gathered, and of
  // the one being committed.
  std::vector<std::array<uint64_t, 3>> m_batch_counts, m_inflight_counts;
  std::unordered_map<std::string, size_t> m_route_by_name;
  std::unordered_map<uint64_t, MappedTable> m_tables;
  ReplicateReport& m_report;
  BinlogPosition m_committed;  // in my2pg.replica
  BinlogPosition m_pending;    // after the last transaction read (applied once committed)
  BinlogPosition m_inflight;   // the batch being committed
  BinlogPosition m_published;  // the last position handed to m_live as applied
  uint64_t m_inflight_tx = 0, m_inflight_changes = 0, m_inflight_number = 0;
  double m_inflight_commit = 0;
  bool m_has_inflight = false;
  std::string m_last_gtid;
  uint32_t m_last_commit = 0;         // the binlog's commit timestamp, for my2pg.replica
  double m_last_commit_estimate = 0;  // closer, for the lags (see commit_time_estimate)
  double m_item_received = 0;         // when the event being handled was read
  bool m_position_dirty = false;
  uint64_t m_tx_changes = 0;     // of the transaction being read
  uint64_t m_batch_changes = 0;  // of the batch's complete transactions
  uint64_t m_batch_tx = 0;
  Statement m_ddl;  // the schema change of the transaction being read
  bool m_has_ddl = false;
  std::string m_ddl_problem;  // why the statement is not replicated (outside the subset)
  TrackedModel m_model;
  std::deque<schema::Table> m_gone_sources;  // definitions of dropped routes
  std::deque<typemap::TargetTable> m_gone_targets;
  // The model and routes as of the last commit, while schema changes after it are applied but
  // not committed (restore_model).
  struct Committed {
    TrackedModel model;
    std::vector<Route> routes;
    std::unordered_map<std::string, size_t> route_by_name;
    uint64_t commit_number = 0;  // the commit that carries the changes; 0: not handed over yet
  };
  std::optional<Committed> m_before_ddl;
  std::set<std::string> m_paused_names;  // paused by this run (--on-table-error pause)
  std::string m_ddl_query, m_ddl_db, m_ddl_at, m_ddl_file;
  bool m_ddl_escapes = true;  // backslashes escape in its strings (no NO_BACKSLASH_ESCAPES)
  uint64_t m_ddl_pos = 0;
  Clock::time_point m_batch_started = Clock::now();
  Clock::time_point m_last_write = Clock::now();
  int m_stop_waits = 0;
  Clock::time_point m_last_event = Clock::now();
  bool m_single = false;
  BinlogPosition m_single_until;  // see go_single()
  bool m_hold_warned = false;
  uint64_t m_paused_version = 0;
};

void record_error(const std::string& target_uri, const std::string& db, const std::string& what) {
  try {
    pg::Connection tgt(target_uri);
    tgt.query(
        "UPDATE my2pg.replica SET state = 'failed', last_error = $2, updated_at = now() "
        "WHERE source_database = $1 AND state <> 'detached'",
        {db, what});
  } catch (const std::exception& e) {
    spdlog::warn("could not record the error in my2pg.replica: {}", e.what());
  }
}

void warn_about_tables(const std::vector<Route>& routes, const schema::Catalog& catalog) {
  for (const Route& r : routes) {
    if (r.key.empty()) {
      spdlog::warn(
          "{} has no primary key: its changes are applied by matching whole rows, which scans "
          "the target table once per batch that removes or changes its rows; add a primary key "
          "on the source for speed",
          r.name);
    }
  }
  for (const auto& t : catalog.tables) {
    for (const auto& fk : t.foreign_keys) {
      const bool acts = fk.on_delete == "CASCADE" || fk.on_delete == "SET NULL" ||
                        fk.on_update == "CASCADE" || fk.on_update == "SET NULL" ||
                        fk.on_delete == "SET DEFAULT" || fk.on_update == "SET DEFAULT";
      if (!acts) continue;
      bool emulated = fk.on_delete != "SET DEFAULT" && fk.on_update != "SET DEFAULT";
      bool found = false;
      for (const Route& r : routes) {
        for (const Cascade& c : r.cascades) {
          found = found || (c.name == fk.name && routes[c.child].source == &t);
        }
      }
      emulated = emulated && found;
      if (emulated) {
        spdlog::info(
            "{}.{}: foreign key {} (ON DELETE {} ON UPDATE {}): the source does not log "
            "what its actions do; my2pg applies them after each change of the "
            "referenced table (one flush of the batch per such change)",
            t.database, t.name, fk.name, fk.on_delete, fk.on_update);
        continue;
      }
      spdlog::warn(
          "{}.{}: foreign key {} has ON DELETE {} ON UPDATE {}, which my2pg cannot apply (it "
          "refers to a table outside the replica or to columns other than a primary key, or "
          "sets defaults). The source does not log what the action does, so rows it changes "
          "stay as they were on the target (my2pg verify shows them)",
          t.database, t.name, fk.name, fk.on_delete, fk.on_update);
    }
  }
}

// Waits `backoff` seconds before a reconnect, and doubles it up to the longest wait; false when
// asked to stop meanwhile (the wait ends at once).
bool back_off(double& backoff, const ReplicateOptions& options) {
  auto stopping = [&] { return options.stop != nullptr && options.stop->load(); };
  const auto wake = Clock::now() + std::chrono::duration<double>(backoff);
  while (Clock::now() < wake && !stopping())
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (stopping()) return false;
  backoff = std::min(backoff * 2, options.reconnect_max);
  return true;
}

// Waits out a conflict on the target like back_off, while the control rows keep being answered:
// a cutover's detach ends the wait at once (the follower then stops), and a verify's hold that
// the committed position `at` satisfies is answered from it and holds the retry back until it
// is released. False when asked to stop meanwhile.
bool wait_out_conflict(double& backoff, const ReplicateOptions& options, LiveState& live,
                       const BinlogPosition& at) {
  auto stopping = [&] { return options.stop != nullptr && options.stop->load(); };
  const auto wake = Clock::now() + std::chrono::duration<double>(backoff);
  while (!stopping() && !live.detached()) {
    if (live.hold_active() && !live.hold_expired(options.hold_limit_seconds)) {
      const std::optional<BinlogPosition> target = live.hold_target();
      if (!target || compare_positions(at.file, at.pos, target->file, target->pos) >= 0) {
        live.answer_hold(target ? "reached" : "paused", at);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
    }
    if (Clock::now() >= wake) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (stopping()) return false;
  backoff = std::min(backoff * 2, options.reconnect_max);
  return true;
}

// One run of replicate from the target's recorded state, and what the runs before it left:
// after the target is lost, the next run starts over from what the target recorded, as a
// restarted process would.
struct Attempt {
  ReplicateOptions options;
  ReplicateReport report;  // totals over the runs
  uint64_t followed = 0;   // runs that got as far as following the binlog
  // The session that holds the replica's lock: pid and backend_start (epoch seconds, exact).
  std::vector<std::optional<std::string>> lock_session;
};

}  // namespace

bool try_replica_lock(pg::Connection& tgt, const std::string& database) {
  return tgt.query("SELECT pg_try_advisory_lock(hashtext('my2pg replicate ' || $1))", {database})
             .rows.at(0)
             .at(0) == "t";
}

namespace {

void replicate_once(Attempt& attempt) {
  ReplicateOptions& options = attempt.options;
  const mysql::Endpoint endpoint = snapshot::source_endpoint(options.source_uri);
  const std::string& db = endpoint.database;
  pg::Connection tgt(options.target_uri);
  control::migrate_control_schema(tgt);

  // One follower per source database: a second one would apply the same transactions again.
  // A killed predecessor's session may take a moment to end, so wait a little for it.
  bool warned = false;
  for (int tries = 0;; ++tries) {
    if (try_replica_lock(tgt, db)) break;
    if (options.stop != nullptr && options.stop->load()) {
      if (attempt.followed != 0) return;  // a run after a lost target: what was applied stands
      throw ConfigError("stopped while waiting for the lock 'my2pg replicate " + db +
                        "' that another session holds; nothing was applied");
    }
    if (!attempt.lock_session.empty()) {
      // This process's own session of the run before, which lost its link but may live on in
      // the server (a network that dropped the connection without a word) and hold the lock
      // until the server notices: ended, if it is still that very session.
      try {
        tgt.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND "
            "extract(epoch FROM backend_start) = $2::numeric",
            {attempt.lock_session[0], attempt.lock_session[1]});
      } catch (const TargetError& e) {
        if (e.connection_lost()) throw;
        if (!warned)
          spdlog::warn("could not end this process's earlier session ({}); waiting for it",
                       e.what());
        warned = true;
      }
    }
    if (tries >= 100) {
      throw ConfigError("another my2pg replicate follows " + db +
                        " into this target already "
                        "(it holds the advisory lock 'my2pg replicate " +
                        db + "'); stop it first (SIGTERM), or see pg_locks for its session");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  {
    const RowSet me = tgt.query(
        "SELECT pid::text, extract(epoch FROM backend_start)::text FROM pg_stat_activity WHERE "
        "pid = pg_backend_pid()");
    attempt.lock_session = {me.rows.at(0).at(0).value_or(""), me.rows.at(0).at(1).value_or("")};
  }
  ReplicaRow replica = read_replica_row(tgt, db);
  if (attempt.followed != 0 && (!replica.exists || replica.state == "detached")) {
    // Detached (cutover), or the control row removed (a copy made again), while this process
    // waited for the target: the run ends as it does when that happens while following.
    attempt.report.detached = true;
    return;
  }
  if (replica.exists && replica.state == "detached") {
    throw ConfigError("the replica of " + db + " was detached (by cutover); it is not resumed. " +
                      "To replicate again, copy again (my2pg migrate --replace)");
  }
  if (replica.exists && (options.from || !options.from_gtid.empty())) {
    throw ConfigError("the target already follows " + db + " from " + replica.position.display() +
                      "; leave out --from/--from-gtid to resume there, or DELETE FROM "
                      "my2pg.replica WHERE source_database = '" +
                      db + "' to start elsewhere");
  }

  mysql::Connection src(endpoint);
  if (const auto problems = check_replication_settings(src); !problems.empty()) {
    throw SourceError("the source's settings keep my2pg from following its binary log:\n" +
                      describe(problems));
  }
  const ServerIdentity identity = identity_of(src);
  load_byte_tables(src);

  BinlogPosition start;
  std::map<std::string, BinlogPosition> copied;
  std::string target_schema =
      options.model.target_schema.empty() ? db : options.model.target_schema;
  if (replica.exists) {
    if (replica.server_id != identity.server_id ||
        (!replica.server_uuid.empty() && replica.server_uuid != identity.server_uuid)) {
      throw SourceError("the source " + endpoint.display() +
                        " is not the server the replica "
                        "follows (server_id " +
                        identity.server_id + " against " + replica.server_id +
                        (replica.server_uuid.empty() ? ""
                                                     : ", server_uuid " + identity.server_uuid +
                                                           " against " + replica.server_uuid) +
                        "): binlog positions of another server mean nothing here. Point "
                        "--source at the original server, or copy again (my2pg migrate --replace)");
    }
    start = replica.position;
    target_schema = replica.target_schema;
    // Tables whose copy is later than the replica's position (a table copied again) apply
    // changes only from their own position.
    const SnapshotRow snap = read_snapshot(tgt, db);
    for (const auto& [table, pos] : snap.tables) {
      if (compare_positions(pos.file, pos.pos, start.file, start.pos) > 0) copied[table] = pos;
    }
  } else if (options.from || !options.from_gtid.empty()) {
    if (options.from) start = *options.from;
    if (!options.from_gtid.empty()) start = gtid_start(src, endpoint, options.from_gtid);
  } else {
    SnapshotRow snap = read_snapshot(tgt, db);
    if (!snap.done) {
      if (!options.migrate_first) {
        throw ConfigError("the target holds no finished copy of " + db +
                          "; run my2pg migrate first, or give --from FILE:POS");
      }
      spdlog::info("the target holds no finished copy of {}: copying it first", db);
      options.migrate_first();
      snap = read_snapshot(tgt, db);
      if (!snap.done) throw Error("the copy of " + db + " did not finish");
    }
    if (!snap.position.known()) {
      throw SourceError("the copy of " + db +
                        " was made without a binary log on the source, so "
                        "there is no position to follow from; turn log_bin on and copy again");
    }
    start = snap.position;
    target_schema = snap.target_schema;
    copied = snap.tables;
  }
  check_position_available(src, start);

  snapshot::ModelOptions model = options.model;
  model.target_schema = target_schema;
  TrackedModel tracked = load_tracked_model(src, tgt, db, model);
  const snapshot::SourceModel& source = *tracked.mapped;
  std::vector<Route> routes = make_routes(source.catalog.tables, source.targets);
  for (Route& r : routes) {
    if (auto it = copied.find(r.source->name); it != copied.end()) {
      r.copied_file = it->second.file;
      r.copied_pos = it->second.pos;
    }
  }
  warn_about_tables(routes, source.catalog);

  if (!replica.exists) {
    tgt.query(
        "INSERT INTO my2pg.replica (source_database, target_schema, source_server, "
        "source_server_id, source_server_uuid, binlog_file, binlog_pos, gtid_set, state) "
        "VALUES ($1, $2, $3, nullif($4, '')::bigint, nullif($5, ''), $6, $7, nullif($8, ''), "
        "'following')",
        {db, target_schema, endpoint.display(), identity.server_id, identity.server_uuid,
         start.file, std::to_string(start.pos), start.gtid_set});
  }

  // Following from now on (status, verify's hold and wait go by this); an earlier run's error
  // stays in last_error until the first commit.
  tgt.query(
      "UPDATE my2pg.replica SET state = 'following', updated_at = now() WHERE "
      "source_database = $1 AND state <> 'detached'",
      {db});

  std::optional<BinlogPosition> until;
  if (options.until == Until::caught_up) {
    until = snapshot::current_binlog_position(src);
    // A run after a lost target stops where this one would have.
    options.until = Until::position;
    options.until_position = *until;
  }
  if (options.until == Until::position) {
    until = options.until_position;
    // A file the server has, or one it will write: a misspelt name would end the run at once.
    const RowSet logs = src.query("SHOW BINARY LOGS");
    bool known = false;
    for (const auto& row : logs.rows) known = known || row.at(0) == until->file;
    const std::string newest = logs.rows.empty() ? "" : logs.rows.back().at(0).value_or("");
    if (!known && (newest.size() != until->file.size() ||
                   compare_positions(until->file, 4, newest, 4) <= 0)) {
      throw ConfigError("--until " + where_of(until->file, until->pos) +
                        ": the source has no binlog file " + until->file + " (its newest is " +
                        newest + "); give a file SHOW BINARY LOGS lists, or a later one");
    }
  }

  // The applying session: source triggers and cascades already made the logged changes.
  tgt.execute("SET TimeZone = 'UTC'");
  try {
    tgt.execute("SET session_replication_role = replica");
  } catch (const TargetError& e) {
    throw TargetError(std::string(e.what()) +
                          "\nreplicate applies changes with triggers and foreign-key checks off "
                          "(the source ran them already), which needs a superuser or, on "
                          "PostgreSQL 15 and later, GRANT SET ON PARAMETER "
                          "session_replication_role TO <role>",
                      e.sqlstate());
  }

  std::vector<std::string> table_names;
  for (const Route& r : routes) table_names.push_back(r.name);
  LiveState live(table_names);
  live.set_metrics(options.metrics);
  live.applied(start, replica.last_commit);
  std::optional<Heartbeat> heartbeat;
  if (!options.heartbeat_table.empty()) {
    heartbeat = prepare_heartbeat(src, options.heartbeat_table, db,
                                  pg::describe_conninfo(options.target_uri));
  }
  Follower follower(options, tgt, db, routes, src.flavor(), live, heartbeat ? &*heartbeat : nullptr,
                    std::move(tracked), attempt.report);
  {
    // Tables set aside by an earlier run stay aside until resync copies them again.
    const RowSet p = tgt.query(
        "SELECT source_table, binlog_file || ':' || binlog_pos, error FROM my2pg.paused_table "
        "WHERE source_database = $1 ORDER BY source_table",
        {db});
    std::vector<std::string> paused;
    for (const auto& row : p.rows) {
      paused.push_back(row[0].value_or(""));
      for (Route& r : routes) {
        if (r.source->name != paused.back()) continue;
        r.paused = true;
        spdlog::warn("{} is paused since {} ({}); copy it again with my2pg resync --table {}",
                     r.name, row[1].value_or(""), row[2].value_or(""), paused.back());
      }
    }
    live.set_paused(paused, wall_seconds());
    follower.set_paused_version(live.paused_version());
  }
  follower.committed() = start;
  attempt.report.position = start;
  // Lags, rates and positions, once a second, in my2pg.replica_progress and the metrics.
  live.set_phase("following");
  const Monitor monitor(endpoint, options.target_uri, db, live, options.metrics,
                        heartbeat ? &*heartbeat : nullptr);
  spdlog::info("following {} from {} ({} tables{})", db, start.display(), routes.size(),
               until ? ", until " + where_of(until->file, until->pos) : "");
  ++attempt.followed;
  double backoff = options.reconnect_initial;
  // Passing conflicts in a row: with no transaction applied between them (the position may
  // move meanwhile over other databases' transactions), the same transaction meets them.
  int conflicts = 0;
  std::optional<uint64_t> conflict_applied;  // transactions applied at the last one
  double conflict_backoff = options.reconnect_initial;
  for (;;) {
    try {
      follower.follow(endpoint, until ? &*until : nullptr);
      break;
    } catch (const DetachedError&) {
      // cutover detached the replica while a batch was on its way: it rolled back.
      follower.abandon();
      follower.report().detached = true;
      break;
    } catch (const SourceError& e) {
      follower.abandon();
      if (options.stop != nullptr && options.stop->load()) break;  // stopping anyway: clean
      if (!worth_reconnecting(e)) {
        live.set_phase("failed");
        record_error(options.target_uri, db, e.what());
        throw;
      }
      ++follower.report().reconnects;
      live.reconnected();
      live.set_phase("reconnecting");
      spdlog::warn("lost the source ({}); reconnecting in {:.1f} s to resume at {}", e.what(),
                   backoff, follower.committed().display());
      if (!back_off(backoff, options)) break;
      try {
        mysql::Connection check(endpoint);
        const ServerIdentity now = identity_of(check);
        if (now.server_id != identity.server_id || now.server_uuid != identity.server_uuid) {
          throw SourceError("after reconnecting, " + endpoint.display() +
                            " is another server (server_id " + now.server_id + " against " +
                            identity.server_id +
                            "); the replica does not follow a different server's positions");
        }
        check_position_available(check, follower.committed());
        backoff = options.reconnect_initial;
        live.set_phase("following");
      } catch (const SourceError& again) {
        if (!worth_reconnecting(again)) {
          live.set_phase("failed");
          record_error(options.target_uri, db, again.what());
          throw;
        }
        spdlog::warn("the source is not back yet ({})", again.what());
      }
    } catch (const std::exception& e) {
      if (const auto* lost = dynamic_cast<const TargetError*>(&e);
          lost != nullptr && lost->connection_lost()) {
        // The batch in flight may or may not have committed: the next run reads what the
        // target recorded and starts over from there.
        follower.abandon();
        live.set_phase("reconnecting");
        throw;
      }
      // Named before abandon(): a route made by a schema change that rolls back goes with it.
      const auto* te = dynamic_cast<const TableError*>(&e);
      const std::string failing =
          te != nullptr && te->route() < routes.size() ? routes[te->route()].source->name : "";
      follower.abandon();
      if (te != nullptr && options.pause_failing_tables) {
        // --on-table-error pause: this table is set aside, the others go on from the last
        // commit (the table's changes since then are not applied either: resync copies it).
        // The tables its foreign-key actions reach go aside with it: the source does not log
        // what those actions do, and they are applied with the parent's changes.
        const BinlogPosition at = follower.committed();
        // In one transaction: a table and the tables its foreign-key actions reach are paused
        // together or not at all (a target lost halfway pauses none; the next run meets the
        // error again).
        pg::Connection control(options.target_uri);
        pg::Transaction pausing(control);
        // Its error as the pause has it: a restart does not bring a paused table back.
        std::string failed = e.what();
        if (const size_t advice = failed.rfind(kResumeAdvice); advice != std::string::npos)
          failed.replace(advice, std::string(kResumeAdvice).size(),
                         "then copy the table again with my2pg resync --table " + failing +
                             " (it stays paused until then)");
        std::vector<std::string> todo = {failing};
        std::vector<Route*> set_aside;
        std::string names;
        while (!todo.empty()) {
          const std::string table = todo.back();
          todo.pop_back();
          // Its route, unless a schema change that rolled back made it (paused when made again).
          Route* r = nullptr;
          for (Route& candidate : routes) {
            if (!candidate.dropped && candidate.source->name == table) r = &candidate;
          }
          if (r != nullptr && r->paused) continue;
          const bool first = names.empty();
          const std::string why =
              first ? failed
                    : "the source's foreign-key actions onto it come from a table paused at the "
                      "same time (" +
                          db + "." + failing + ")";
          control.query(
              "INSERT INTO my2pg.paused_table (source_database, source_table, binlog_file, "
              "binlog_pos, error) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source_database, "
              "source_table) DO UPDATE SET paused_at = now(), binlog_file = "
              "EXCLUDED.binlog_file, binlog_pos = EXCLUDED.binlog_pos, error = EXCLUDED.error",
              {db, table, at.file, std::to_string(at.pos), why});
          follower.pause_name(table);
          names += (first ? "" : ",") + table;
          if (r == nullptr) continue;
          r->paused = true;
          set_aside.push_back(r);
          for (const Cascade& c : r->cascades) todo.push_back(routes.at(c.child).source->name);
        }
        pausing.commit();
        // A list of paused tables read before this commit does not have them yet.
        for (Route* r : set_aside) r->settled_at = wall_seconds();
        spdlog::error(
            "{}.{} is paused (--on-table-error pause): {}\nChanges of {} from {} on are not "
            "applied; the other tables go on. Copy again with my2pg resync --table {}",
            db, failing, failed, names, where_of(at.file, at.pos), names);
        continue;
      }
      if (!follower.single()) {
        // The batch held other transactions besides the failing one: apply those, one source
        // transaction per commit, up to the failure, which then stops the run.
        follower.go_single();
        spdlog::debug("{}; applying the transactions before it one by one", e.what());
        continue;
      }
      const auto* conflict = dynamic_cast<const TargetError*>(&e);
      if (conflict != nullptr && conflict->passing_conflict()) {
        // The transaction itself met it: tried again after a wait, as long as the conflict
        // lasts, up to --conflict-retries times in a row.
        const BinlogPosition at = follower.committed();
        if (conflict_applied != follower.report().transactions) {
          conflicts = 0;
          conflict_backoff = options.reconnect_initial;
          conflict_applied = follower.report().transactions;
        }
        const std::string where = where_of(at.file, at.pos);
        if (conflicts < options.conflict_retries) {
          ++conflicts;
          const std::string retrying = fmt::format(
              "the transaction after binlog {} met a conflict on the target ({}); "
              "trying it again in {:.1f} s ({} of {})",
              where, e.what(), conflict_backoff, conflicts, options.conflict_retries);
          spdlog::warn("{}", retrying);
          // status shows which conflict it waits out (the next batch committed clears it).
          try {
            tgt.query(
                "UPDATE my2pg.replica SET last_error = $2, updated_at = now() WHERE "
                "source_database = $1 AND state <> 'detached'",
                {db, retrying});
          } catch (const TargetError& lost) {
            if (lost.connection_lost()) throw;
          }
          live.set_phase("retrying");
          if (!wait_out_conflict(conflict_backoff, options, live, at)) break;
          live.set_phase("following");
          continue;
        }
        const std::string what =
            std::string(e.what()) + "\nthe transaction after binlog " + where +
            " met a conflict on each of " + std::to_string(conflicts + 1) +
            " tries of its own (after its batch failed). Find what holds its lock or outlasts "
            "its statement on the target (pg_locks, pg_stat_activity; the lock_timeout and "
            "statement_timeout in effect for my2pg's session: its role's, its database's or "
            "the target URI's options), then start replicate again: it resumes before this "
            "transaction (--conflict-retries sets how often it is tried)";
        live.set_phase("failed");
        record_error(options.target_uri, db, what);
        throw TargetError(what, conflict->sqlstate());
      }
      live.set_phase("failed");
      record_error(options.target_uri, db, e.what());
      throw;
    }
  }
  live.set_phase(follower.report().detached ? "detached" : "stopped");
  if (follower.report().detached)
    spdlog::info(
        "the replica of {} was detached (cutover) or its control row removed; this "
        "run stops at {}",
        db, follower.committed().display());
  try {
    tgt.query(
        "UPDATE my2pg.replica SET state = 'stopped', updated_at = now() WHERE "
        "source_database = $1 AND state <> 'detached'",
        {db});
  } catch (const TargetError& e) {
    // Ending anyway (stopped, caught up or detached): the next run starts from the position.
    if (!e.connection_lost()) throw;
    spdlog::warn("could not mark the replica stopped in my2pg.replica ({})", e.what());
  }
}

}  // namespace

ReplicateReport run_replicate(const ReplicateOptions& options) {
  const auto started = Clock::now();
  Attempt attempt{options, {}, 0, {}};
  double backoff = options.reconnect_initial;
  uint64_t followed = 0;
  for (;;) {
    std::string lost;  // what went away, and why
    try {
      replicate_once(attempt);
      break;
    } catch (const TargetError& e) {
      // Lost while following (or on the way back): wait for the target and go on. Before the
      // first run follows, a target that cannot be reached is the operator's to fix.
      if (!e.connection_lost() || attempt.followed == 0) throw;
      lost = "the target (" + std::string(e.what()) + ")";
      if (attempt.followed != followed) {
        // Lost after following again (not a failed try to come back).
        backoff = options.reconnect_initial;
        ++attempt.report.target_reconnects;
      }
    } catch (const SourceError& e) {
      // The source went away while a run after a lost target set up (while following, the run
      // reconnects to it itself): waited for the same way.
      if (!worth_reconnecting(e) || attempt.followed == 0) throw;
      lost = "the source (" + std::string(e.what()) + ")";
    }
    followed = attempt.followed;
    spdlog::warn("lost {}; reconnecting in {:.1f} s to resume at the position the target recorded",
                 lost, backoff);
    if (!back_off(backoff, options)) break;
    // The copy is there and the control row too: the next run resumes where it stands.
    attempt.options.migrate_first = nullptr;
    attempt.options.from.reset();
    attempt.options.from_gtid.clear();
  }
  attempt.report.seconds = seconds_since(started);
  return attempt.report;
}

}  // namespace my2pg::replica
