#include "replica/status.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <map>

#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "control/migrator.hpp"
#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "snapshot/source_model.hpp"

namespace my2pg::replica {
namespace {

// A replica is running when its replicate process holds the advisory lock on the database name
// (pg_advisory_lock on a bigint key shows as classid = high 32 bits, objid = low 32 bits).
constexpr const char* kRunning =
    "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND "
    "l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND l.classid::bigint = ((hashtext('my2pg replicate ' || r.source_database)::bigint"
    " >> 32) & 4294967295) AND l.objid::bigint = (hashtext('my2pg replicate ' || "
    "r.source_database)::bigint & 4294967295))";

double number(const std::optional<std::string>& v) {
  return v ? std::stod(*v) : 0.0;
}
uint64_t count(const std::optional<std::string>& v) {
  return v ? std::stoull(*v) : 0;
}
std::optional<double> maybe_number(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return std::stod(*v);
}
std::optional<uint64_t> maybe_count(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return std::stoull(*v);
}

// Reads "db.t": {"inserted": n, ...} from the progress row's jsonb, flattened by the query.
void add_table_counts(ReplicaStatus& s, const RowSet& counts) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < s.tables.size(); ++i) index[s.tables[i].source] = i;
  for (const auto& row : counts.rows) {
    const std::string name = row.at(0).value_or("");
    auto it = index.find(name);
    if (it == index.end()) {
      TableStatus t;
      t.source = name;
      t.state = "following";
      s.tables.push_back(t);
      it = index.emplace(name, s.tables.size() - 1).first;
    }
    TableStatus& t = s.tables[it->second];
    t.inserted = count(row.at(1));
    t.updated = count(row.at(2));
    t.deleted = count(row.at(3));
  }
}

}  // namespace

std::vector<ReplicaStatus> read_status(const std::string& target_uri, const std::string& database,
                                       const std::string& source_uri) {
  pg::Connection tgt(target_uri);
  // A target my2pg never wrote to holds no replica (and is not given a control schema here).
  if (tgt.query("SELECT to_regclass('my2pg.schema_version') IS NULL").rows.at(0).at(0) == "t")
    return {};
  control::migrate_control_schema(tgt);
  std::string db = database;
  std::optional<mysql::Endpoint> source;
  if (!source_uri.empty()) {
    source = snapshot::source_endpoint(source_uri);
    if (db.empty()) db = source->database;
  }
  const RowSet rs = tgt.query(
      std::string("SELECT r.source_database, r.target_schema, r.source_server, r.state, ") +
          kRunning +
          ", r.binlog_file, r.binlog_pos, coalesce(r.gtid_set, ''), "
          "extract(epoch FROM r.last_commit_time), r.transactions_applied, r.rows_applied, "
          "coalesce(r.last_error, ''), p.pid, p.host, extract(epoch FROM p.running_since), "
          "extract(epoch FROM p.updated_at), p.phase, p.received_file, p.received_pos, "
          "extract(epoch FROM p.received_commit_time), p.server_file, p.server_pos, "
          "coalesce(p.server_gtid_set, ''), extract(epoch FROM p.server_checked_at), "
          "p.source_lag_seconds, p.apply_lag_seconds, p.position_lag_bytes, "
          "p.position_lag_transactions, p.transactions_per_second, p.rows_per_second, "
          "p.events_received, p.reconnects, p.applied_file, p.applied_pos, "
          "coalesce(p.applied_gtid_set, ''), extract(epoch FROM p.applied_commit_time), "
          "extract(epoch FROM now()), p.end_to_end_lag_seconds "
          "FROM my2pg.replica r LEFT JOIN my2pg.replica_progress p USING (source_database) "
          "WHERE $1 = '' OR r.source_database = $1 ORDER BY r.source_database",
      {db});
  std::vector<ReplicaStatus> out;
  for (const auto& r : rs.rows) {
    ReplicaStatus s;
    s.source_database = r[0].value_or("");
    s.target_schema = r[1].value_or("");
    s.source_server = r[2].value_or("");
    s.state = r[3].value_or("");
    s.running = r[4] == "t";
    s.applied.file = r[5].value_or("");
    s.applied.pos = count(r[6]);
    s.applied.gtid_set = r[7].value_or("");
    s.applied_commit_time = number(r[8]);
    s.transactions_applied = count(r[9]);
    s.rows_applied = count(r[10]);
    s.last_error = r[11].value_or("");
    const bool has_progress = r[15].has_value();
    const double now = number(r[36]);
    if (has_progress) {
      s.pid = static_cast<int>(count(r[12]));
      s.host = r[13].value_or("");
      s.running_since = number(r[14]);
      s.progress_updated_at = number(r[15]);
      s.received.file = r[17].value_or("");
      s.received.pos = count(r[18]);
      s.received_commit_time = number(r[19]);
      s.server.file = r[20].value_or("");
      s.server.pos = count(r[21]);
      s.server.gtid_set = r[22].value_or("");
      s.server_checked_at = number(r[23]);
      s.lag.source_seconds = maybe_number(r[24]);
      s.lag.apply_seconds = maybe_number(r[25]);
      s.lag.bytes = maybe_count(r[26]);
      s.lag.transactions = maybe_count(r[27]);
      s.lag.end_to_end_seconds = maybe_number(r[37]);
      s.lag_as_of = s.progress_updated_at;
      s.lag_from = "replicate";
      s.transactions_per_second = number(r[28]);
      s.rows_per_second = number(r[29]);
      s.events_received = count(r[30]);
      s.reconnects = count(r[31]);
      // The monitor's applied position can be ahead of the committed one: nothing of this
      // replica lies between them.
      if (s.running && r[32] &&
          compare_positions(*r[32], count(r[33]), s.applied.file, s.applied.pos) > 0) {
        s.applied.file = *r[32];
        s.applied.pos = count(r[33]);
        s.applied.gtid_set = r[34].value_or("");
        s.applied_commit_time = std::max(s.applied_commit_time, number(r[35]));
      }
    }
    s.phase = s.running ? r[16].value_or("starting") : "not running";
    const bool fresh = s.running && has_progress && now - s.progress_updated_at < 5;
    s.fresh = fresh;
    if (!fresh && source && source->database == s.source_database) {
      // Nothing reports for this replica now: the lags against the source's current position.
      try {
        mysql::Connection src(*source);
        const ServerPosition server = read_server_position(src);
        Observed seen;
        seen.applied = s.applied;
        seen.applied_commit = s.applied_commit_time;
        seen.received = s.applied;  // not reading: received is what was applied
        seen.received_commit = s.applied_commit_time;
        s.lag = compute_lag(seen, server, server.checked_at);
        s.server = server.current;
        s.server_checked_at = server.checked_at;
        s.received = s.applied;
        s.received_commit_time = s.applied_commit_time;
        s.lag_as_of = server.checked_at;
        s.lag_from = "source";
        s.transactions_per_second = 0;
        s.rows_per_second = 0;
      } catch (const SourceError& e) {
        spdlog::warn(
            "cannot read the source's current position ({}); the lags shown are the "
            "replica's last report",
            e.what());
      }
    }
    if (s.lag_from.empty()) s.lag_from = has_progress ? "replicate" : "none";

    const RowSet tables = tgt.query(
        "SELECT source_table, target_table, state, rows_copied FROM my2pg.table_state WHERE "
        "source_database = $1 ORDER BY source_table",
        {s.source_database});
    for (const auto& t : tables.rows) {
      TableStatus ts;
      ts.source = s.source_database + "." + t[0].value_or("");
      ts.target = t[1].value_or("");
      ts.state = t[2].value_or("");
      ts.rows_copied = count(t[3]);
      s.tables.push_back(ts);
    }
    const RowSet paused = tgt.query(
        "SELECT source_table, binlog_file || ':' || binlog_pos, error FROM my2pg.paused_table "
        "WHERE source_database = $1",
        {s.source_database});
    for (const auto& p : paused.rows) {
      const std::string name = s.source_database + "." + p[0].value_or("");
      for (TableStatus& t : s.tables) {
        if (t.source != name) continue;
        t.state = "paused";
        t.error = "paused since " + p[1].value_or("") + ": " + p[2].value_or("");
      }
    }
    if (has_progress) {
      add_table_counts(
          s, tgt.query("SELECT key, value->>'inserted', value->>'updated', value->>'deleted' "
                       "FROM my2pg.replica_progress, jsonb_each(tables) WHERE "
                       "source_database = $1 ORDER BY key",
                       {s.source_database}));
    }
    const RowSet ddl = tgt.query(
        "SELECT count(*) FILTER (WHERE action = 'applied'), count(*) FILTER (WHERE action = "
        "'skipped') FROM my2pg.schema_history WHERE source_database = $1",
        {s.source_database});
    s.ddl_applied = count(ddl.rows.at(0).at(0));
    s.ddl_skipped = count(ddl.rows.at(0).at(1));
    s.rows_rejected =
        count(tgt.query("SELECT count(*) FROM my2pg.rejects WHERE source_database = $1",
                        {s.source_database})
                  .rows.at(0)
                  .at(0));
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

std::string seconds_text(const std::optional<double>& v) {
  if (!v) return "unknown";
  return *v < 10 ? fmt::format("{:.2f} s", *v) : fmt::format("{:.1f} s", *v);
}

std::string position_text(const BinlogPosition& p) {
  return p.known() ? p.file + ":" + std::to_string(p.pos) : "-";
}

void json_number(std::string& out, const char* key, const std::optional<double>& v, bool comma) {
  out += fmt::format("\"{}\":", key);
  out += v && std::isfinite(*v) ? fmt::format("{:.3f}", *v) : "null";
  if (comma) out += ",";
}
void json_count(std::string& out, const char* key, const std::optional<uint64_t>& v, bool comma) {
  out += fmt::format("\"{}\":", key);
  out += v ? std::to_string(*v) : "null";
  if (comma) out += ",";
}
void json_text(std::string& out, const char* key, const std::string& v, bool comma,
               bool null_when_empty = false) {
  out += fmt::format("\"{}\":", key);
  if (v.empty() && null_when_empty) {
    out += "null";
  } else {
    append_json_string(v, out);
  }
  if (comma) out += ",";
}
void json_position(std::string& out, const char* key, const BinlogPosition& p, bool comma) {
  out += fmt::format("\"{}\":", key);
  if (!p.known()) {
    out += "null";
  } else {
    out += "{";
    json_text(out, "file", p.file, true);
    json_count(out, "pos", p.pos, true);
    json_text(out, "gtid_set", p.gtid_set, false, true);
    out += "}";
  }
  if (comma) out += ",";
}

}  // namespace

std::string status_text(const std::vector<ReplicaStatus>& replicas) {
  if (replicas.empty()) return "no replica in this target (run my2pg replicate)\n";
  std::string out;
  for (const ReplicaStatus& s : replicas) {
    out += fmt::format("replica of {} ({}) into schema {}\n", s.source_database, s.source_server,
                       s.target_schema);
    out += fmt::format("  state       {}{}\n", s.state,
                       s.running ? fmt::format(" (running: {}, pid {} on {}, since {})", s.phase,
                                               s.pid, s.host, iso_utc(s.running_since))
                                 : " (no replicate process is running)");
    out += fmt::format("  lag         source {}, apply {}, position {} bytes / {} transactions",
                       seconds_text(s.lag.source_seconds), seconds_text(s.lag.apply_seconds),
                       s.lag.bytes ? std::to_string(*s.lag.bytes) : "unknown",
                       s.lag.transactions ? std::to_string(*s.lag.transactions) : "unknown");
    if (s.lag.end_to_end_seconds)
      out += fmt::format(", end-to-end {}", seconds_text(s.lag.end_to_end_seconds));
    out += s.lag_from == "none"
               ? " (never measured)\n"
               : fmt::format(" (as of {}, from {})\n", iso_utc(s.lag_as_of),
                             s.lag_from == "source" ? "the source now" : "the replicate process");
    out += fmt::format(
        "  applied     {}{}\n", position_text(s.applied),
        s.applied_commit_time > 0 ? " (commit time " + iso_utc(s.applied_commit_time) + ")" : "");
    out += fmt::format("  received    {}\n", position_text(s.received));
    out +=
        fmt::format("  server      {}{}\n", position_text(s.server),
                    s.server_checked_at > 0 ? " (read " + iso_utc(s.server_checked_at) + ")" : "");
    out += fmt::format("  rates       {:.1f} transactions/s, {:.1f} row changes/s\n",
                       s.transactions_per_second, s.rows_per_second);
    out += fmt::format(
        "  applied     {} transactions, {} row changes in all; this run: {} "
        "events read, {} reconnects\n",
        s.transactions_applied, s.rows_applied, s.events_received, s.reconnects);
    for (const TableStatus& t : s.tables) {
      out += fmt::format("  table {:<30} {:<10} copied {:>10}  +{} ~{} -{}\n", t.source, t.state,
                         t.rows_copied, t.inserted, t.updated, t.deleted);
      if (!t.error.empty()) out += "        " + t.error + "\n";
    }
    if (!s.last_error.empty()) out += "  last error  " + s.last_error + "\n";
    if (s.ddl_applied != 0)
      out += fmt::format("  {} schema change(s) applied (my2pg.schema_history)\n", s.ddl_applied);
    if (s.ddl_skipped != 0)
      out += fmt::format("  {} schema change(s) skipped (my2pg.schema_history)\n", s.ddl_skipped);
    if (s.rows_rejected != 0)
      out += fmt::format("  {} row(s) set aside by the copy (my2pg.rejects)\n", s.rows_rejected);
  }
  return out;
}

std::string status_json(const std::vector<ReplicaStatus>& replicas) {
  std::string out = "{\"replicas\":[";
  for (size_t i = 0; i < replicas.size(); ++i) {
    const ReplicaStatus& s = replicas[i];
    if (i != 0) out += ",";
    out += "{";
    json_text(out, "source_database", s.source_database, true);
    json_text(out, "target_schema", s.target_schema, true);
    json_text(out, "source_server", s.source_server, true);
    json_text(out, "state", s.state, true);
    out += std::string("\"running\":") + (s.running ? "true," : "false,");
    json_text(out, "phase", s.phase, true);
    json_count(out, "pid",
               s.pid != 0 ? std::optional<uint64_t>(static_cast<uint64_t>(s.pid)) : std::nullopt,
               true);
    json_text(out, "host", s.host, true, true);
    json_text(out, "running_since", iso_utc(s.running_since), true, true);
    out += "\"lag\":{";
    json_number(out, "source_seconds", s.lag.source_seconds, true);
    json_number(out, "apply_seconds", s.lag.apply_seconds, true);
    json_count(out, "position_bytes", s.lag.bytes, true);
    json_count(out, "position_transactions", s.lag.transactions, true);
    json_number(out, "end_to_end_seconds", s.lag.end_to_end_seconds, true);
    json_text(out, "as_of", iso_utc(s.lag_as_of), true, true);
    json_text(out, "measured_by", s.lag_from, false);
    out += "},\"positions\":{";
    json_position(out, "applied", s.applied, true);
    json_position(out, "received", s.received, true);
    json_position(out, "server", s.server, true);
    json_text(out, "applied_commit_time", iso_utc(s.applied_commit_time), true, true);
    json_text(out, "server_checked_at", iso_utc(s.server_checked_at), false, true);
    out += "},\"rates\":{";
    json_number(out, "transactions_per_second", s.transactions_per_second, true);
    json_number(out, "rows_per_second", s.rows_per_second, false);
    out += "},\"totals\":{";
    json_count(out, "transactions_applied", s.transactions_applied, true);
    json_count(out, "rows_applied", s.rows_applied, true);
    json_count(out, "events_received", s.events_received, true);
    json_count(out, "reconnects", s.reconnects, true);
    json_count(out, "schema_changes_applied", s.ddl_applied, false);
    out += "},\"tables\":[";
    for (size_t k = 0; k < s.tables.size(); ++k) {
      const TableStatus& t = s.tables[k];
      if (k != 0) out += ",";
      out += "{";
      json_text(out, "source", t.source, true);
      json_text(out, "target", t.target, true, true);
      json_text(out, "state", t.state, true);
      json_count(out, "rows_copied", t.rows_copied, true);
      json_count(out, "inserted", t.inserted, true);
      json_count(out, "updated", t.updated, true);
      json_count(out, "deleted", t.deleted, true);
      json_text(out, "error", t.error, false, true);
      out += "}";
    }
    out += "],\"errors\":{";
    json_text(out, "last_error", s.last_error, true, true);
    json_count(out, "ddl_skipped", s.ddl_skipped, true);
    json_count(out, "rows_rejected", s.rows_rejected, false);
    out += "}}";
  }
  out += "]}\n";
  return out;
}

}  // namespace my2pg::replica
