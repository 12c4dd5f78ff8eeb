#include "replica/cutover.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <thread>

#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "control/migrator.hpp"
#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "replica/hold.hpp"
#include "replica/monitor.hpp"
#include "replica/replicate.hpp"
#include "replica/status.hpp"
#include "snapshot/source_model.hpp"
#include "snapshot/source_snapshot.hpp"

namespace my2pg::replica {
namespace {

void sleep_seconds(double s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

// Tables set aside by --on-table-error pause are behind the source: no cutover with them.
void refuse_paused(pg::Connection& tgt, const std::string& db) {
  const RowSet paused = tgt.query(
      "SELECT string_agg(source_table, ',' ORDER BY source_table) FROM my2pg.paused_table WHERE "
      "source_database = $1",
      {db});
  if (!paused.rows.at(0).at(0)) return;
  const std::string list = *paused.rows[0][0];
  throw Error("tables of " + db +
                  " are paused (--on-table-error pause; my2pg status shows why) and lack the "
                  "source's changes since: " +
                  list + ". Copy them again with my2pg resync --table " + list +
                  " (the replica applies their changes from there on), then run cutover",
              ExitCode::mismatch);
}

// The one replica `database` names, or the only one the target holds.
ReplicaStatus one_replica(const std::string& target_uri, const std::string& database,
                          const std::string& source_uri) {
  const auto all = read_status(target_uri, database, source_uri);
  if (all.empty()) {
    throw ConfigError(database.empty() ? "the target holds no replica (run my2pg replicate first)"
                                       : "the target holds no replica of " + database +
                                             " (run my2pg replicate first)");
  }
  if (all.size() > 1) {
    std::string names;
    for (const auto& s : all) names += (names.empty() ? "" : ", ") + s.source_database;
    throw ConfigError("the target holds replicas of " + names +
                      "; say which with --source (its URI names the database)");
  }
  return all.front();
}

std::string where(const BinlogPosition& p) {
  return p.file + ":" + std::to_string(p.pos);
}

// Verify's alignment when no replicate runs: follow the binlog here up to the verify snapshot's
// position, then read the target as it stands (nothing else writes it).
class CatchUp : public snapshot::TargetAlignment {
 public:
  explicit CatchUp(const CutoverOptions& options) : m_options(options) {}
  void before() override {}
  std::string at(const BinlogPosition& position) override {
    ReplicateOptions r;
    r.source_uri = m_options.source_uri;
    r.target_uri = m_options.target_uri;
    r.model = m_options.model;
    r.until = Until::position;
    r.until_position = position;
    run_replicate(r);
    m_holder = std::make_unique<pg::Connection>(m_options.target_uri);
    return export_snapshot(*m_holder);
  }

 private:
  const CutoverOptions& m_options;
  std::unique_ptr<pg::Connection> m_holder;
};

// The report, kept in my2pg.cutover.
void save(const std::string& target_uri, const CutoverReport& report) {
  pg::Connection tgt(target_uri);
  tgt.query("INSERT INTO my2pg.cutover (source_database, equal, report) VALUES ($1, $2, $3)",
            {report.source_database, report.equal ? "t" : "f", cutover_json(report)});
}

}  // namespace

double wait_for_lag(const WaitOptions& options) {
  const double started = wall_seconds();
  bool said = false;
  for (;;) {
    const ReplicaStatus s = one_replica(options.target_uri, options.database, options.source_uri);
    if (s.state == "detached")
      throw ConfigError("the replica of " + s.source_database + " was detached (cutover)");
    const bool fresh = s.lag_from == "source" || s.fresh;
    if (fresh && s.lag.apply_seconds && *s.lag.apply_seconds <= options.max_lag_seconds)
      return *s.lag.apply_seconds;
    if (!s.running) {
      throw ConfigError(
          "no my2pg replicate is running for " + s.source_database + " (state " + s.state +
          (s.last_error.empty() ? "" : ": " + s.last_error) + "), so its lag (" +
          (s.lag.apply_seconds ? fmt::format("{:.1f} s", *s.lag.apply_seconds) : "unknown") +
          ") will not fall; start it, then wait");
    }
    if (wall_seconds() - started > options.timeout_seconds) {
      throw Error(
          fmt::format(
              "the replica of {} did not get within {:.1f} s of the source in {:.0f} "
              "s (--timeout): apply lag {}, {} transactions behind",
              s.source_database, options.max_lag_seconds, options.timeout_seconds,
              s.lag.apply_seconds ? fmt::format("{:.1f} s", *s.lag.apply_seconds) : "unknown",
              s.lag.transactions ? std::to_string(*s.lag.transactions) : "?"),
          ExitCode::timeout);
    }
    if (!said) {
      spdlog::info("waiting for the replica of {} to get within {:.1f} s of the source",
                   s.source_database, options.max_lag_seconds);
      said = true;
    }
    sleep_seconds(options.poll_seconds);
  }
}

CutoverReport run_cutover(const CutoverOptions& options) {
  CutoverReport report;
  report.dry_run = options.dry_run;
  auto mark = [&](const std::string& what, const std::string& detail = {}) {
    report.timeline.push_back({what, wall_seconds(), detail});
    spdlog::info("cutover: {}{}", what, detail.empty() ? "" : " (" + detail + ")");
  };
  const mysql::Endpoint endpoint = snapshot::source_endpoint(options.source_uri);
  const std::string& db = endpoint.database;
  ReplicaStatus status = one_replica(options.target_uri, db, "");
  report.source_database = db;
  report.target_schema = status.target_schema;
  if (status.state == "detached") {
    throw ConfigError("the replica of " + db +
                      " was detached already: cutover has run (see my2pg status)");
  }
  {
    pg::Connection tgt(options.target_uri);
    refuse_paused(tgt, db);
  }
  mysql::Connection src(endpoint);
  const bool running = status.running;

  report.plan.push_back(options.set_source_read_only
                            ? "make the source read-only (SET GLOBAL read_only = ON), so that "
                              "the applications' writes stop"
                            : "leave the source writable (no --set-source-read-only): writes "
                              "after the final position will not reach PostgreSQL");
  report.plan.push_back("read the source's final binlog position");
  report.plan.push_back(
      running ? fmt::format("wait (up to {:.0f} s) until the running replicate (pid {} on {}) has "
                            "applied everything up to it",
                            options.timeout_seconds, status.pid, status.host)
              : "follow the binlog here up to it (no replicate process runs)");
  report.plan.push_back(options.verify ? "verify every table: counts, digests per key range, "
                                         "differing rows by key; stop if they differ"
                                       : "skip verification (--no-verify)");
  report.plan.push_back("mark the replica detached, so that no replicate resumes it");
  report.plan.push_back(
      "move identity and sequence values past the copied maxima and the source's "
      "AUTO_INCREMENT counters");
  report.plan.push_back("validate constraints left NOT VALID in schema " + status.target_schema);
  if (options.dry_run) {
    report.final_position = snapshot::current_binlog_position(src);
    return report;
  }

  mark("started");
  double writes_stopped = 0;
  try {
    if (options.set_source_read_only) {
      src.execute("SET GLOBAL read_only = ON");
      report.source_read_only = true;
      writes_stopped = wall_seconds();
      mark("writes stopped", "source read_only = ON");
      // Accounts that may write anyway: SUPER (MySQL), READ ONLY ADMIN (MariaDB 10.11).
      const RowSet who = src.query(
          "SELECT DISTINCT p.USER FROM information_schema.PROCESSLIST p WHERE p.ID <> "
          "CONNECTION_ID() AND p.USER NOT IN ('system user', 'event_scheduler') AND p.COMMAND <> "
          "'Binlog Dump' AND p.COMMAND <> 'Binlog Dump GTID' AND EXISTS (SELECT 1 FROM "
          "information_schema.USER_PRIVILEGES u WHERE LEFT(u.GRANTEE, CHAR_LENGTH(p.USER) + 3) = "
          "concat('''', p.USER, '''@') AND u.PRIVILEGE_TYPE IN ('SUPER', 'READ_ONLY ADMIN'))");
      for (const auto& row : who.rows) {
        report.warnings.push_back("account '" + row.at(0).value_or("") +
                                  "' is connected and may write despite read_only (SUPER or READ "
                                  "ONLY ADMIN); its writes after the final position are not "
                                  "replicated");
      }
    }
    report.final_position = snapshot::current_binlog_position(src);
    mark("final position read", where(report.final_position));

    // Everything up to the final position, applied.
    if (running) {
      const double deadline = wall_seconds() + options.timeout_seconds;
      for (;;) {
        status = one_replica(options.target_uri, db, "");
        if (status.applied.known() &&
            compare_positions(status.applied.file, status.applied.pos, report.final_position.file,
                              report.final_position.pos) >= 0)
          break;
        if (!status.running) {
          throw Error("the replicate process of " + db + " stopped before reaching " +
                          where(report.final_position) + " (state " + status.state +
                          (status.last_error.empty() ? "" : ": " + status.last_error) +
                          "); fix that, then run cutover again",
                      ExitCode::source);
        }
        if (wall_seconds() > deadline) {
          // A replicate that waits out a conflict on the target says which.
          const std::string waits =
              status.phase == "retrying"
                  ? "; it waits out a conflict on the target (" + status.last_error + ")"
                  : "";
          throw Error(
              fmt::format("the replica of {} did not reach the source's final position {} "
                          "within {:.0f} s (it stands at {}{}); the source is {}. Run cutover "
                          "again with a longer --timeout",
                          db, where(report.final_position), options.timeout_seconds,
                          where(status.applied), waits,
                          report.source_read_only ? "read-only" : "writable"),
              ExitCode::timeout);
        }
        sleep_seconds(0.2);
      }
    } else {
      ReplicateOptions r;
      r.source_uri = options.source_uri;
      r.target_uri = options.target_uri;
      r.model = options.model;
      r.until = Until::position;
      r.until_position = report.final_position;
      run_replicate(r);
    }
    mark("caught up", where(report.final_position));

    report.equal = true;
    if (options.verify) {
      // Both sides as of one position: a running replica is held at the verify snapshot's
      // position; otherwise cutover applies up to it itself (the source may still be written).
      ReplicaHold hold(options.target_uri, db);
      CatchUp catch_up(options);
      snapshot::VerifyOptions v;
      v.align = hold.active() ? static_cast<snapshot::TargetAlignment*>(&hold) : &catch_up;
      v.source_uri = options.source_uri;
      v.target_uri = options.target_uri;
      v.model = options.model;
      v.model.target_schema = status.target_schema;
      v.chunk_rows = options.chunk_rows;
      report.verify = snapshot::run_verify(v);
      report.equal = report.verify.equal();
      if (!report.equal) {
        mark("verify found differences");
        save(options.target_uri, report);
        return report;
      }
      mark("verified", fmt::format("{} tables equal", report.verify.tables.size()));
    }

    pg::Connection tgt(options.target_uri);
    // Before the detach, so that a failure here leaves cutover to be run again.
    const RowSet nv = tgt.query(
        "SELECT format('%I.%I', n.nspname, t.relname), c.conname FROM pg_constraint c JOIN "
        "pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE "
        "n.nspname = $1 AND NOT c.convalidated ORDER BY 1, 2",
        {status.target_schema});
    for (const auto& row : nv.rows) {
      const std::string table = row.at(0).value_or(""), name = row.at(1).value_or("");
      try {
        tgt.execute("ALTER TABLE " + table + " VALIDATE CONSTRAINT " + pg::quote_identifier(name));
        report.constraints_validated.push_back(table + " " + name);
      } catch (const TargetError& e) {
        report.warnings.push_back("constraint " + name + " of " + table +
                                  " stays NOT VALID: its rows break it (" + e.what() +
                                  "); fix them, then ALTER TABLE ... VALIDATE CONSTRAINT");
      }
    }
    mark("constraints validated", std::to_string(report.constraints_validated.size()));
    refuse_paused(tgt, db);  // a table paused on the way to the final position

    tgt.query(
        "UPDATE my2pg.replica SET state = 'detached', updated_at = now() WHERE "
        "source_database = $1",
        {db});
    // A running replicate sees the state within a second or two and stops.
    if (running) {
      const double deadline = wall_seconds() + 30;
      while (one_replica(options.target_uri, db, "").running) {
        if (wall_seconds() > deadline) {
          report.warnings.push_back(
              "the replicate process did not stop within 30 s of the detach; stop it (SIGTERM)");
          break;
        }
        sleep_seconds(0.2);
      }
    }
    mark("detached");

    snapshot::ModelOptions model = options.model;
    model.target_schema = status.target_schema;
    const snapshot::SourceModel source =
        snapshot::load_model(src, db, model, snapshot::has_postgis(tgt));
    for (size_t i = 0; i < source.catalog.tables.size(); ++i) {
      const auto& t = source.targets[i];
      snapshot::sync_generators(tgt, source.catalog.tables[i], t);
      for (const auto& c : t.columns) {
        if (c.serial == typemap::Serial::none) continue;
        const std::string table =
            pg::quote_identifier(t.schema) + "." + pg::quote_identifier(t.name);
        const RowSet seq = tgt.query("SELECT pg_get_serial_sequence($1, $2)", {table, c.name});
        std::string next = "?";
        if (!seq.rows.empty() && seq.rows[0].at(0)) {
          const RowSet v = tgt.query(
              "SELECT CASE WHEN is_called THEN last_value + 1 ELSE "
              "last_value END FROM " +
              *seq.rows[0].at(0));
          next = v.rows.at(0).at(0).value_or("?");
        }
        report.generators.push_back(fmt::format("{}.{}.{} -> {}", t.schema, t.name, c.name, next));
      }
    }
    mark("generators set", fmt::format("{} column(s)", report.generators.size()));

  } catch (const std::exception& e) {
    mark("failed", e.what());
    try {
      save(options.target_uri, report);
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the error says enough
    }
    const auto* known = dynamic_cast<const Error*>(&e);
    throw Error(std::string("cutover of ") + db + " stopped: " + e.what() +
                    (report.source_read_only
                         ? "\nThe source was left read-only; SET GLOBAL read_only = OFF to go "
                           "back to it, or fix the cause and run cutover again"
                         : ""),
                known != nullptr ? known->exit_code() : ExitCode::internal);
  }
  mark("done");
  if (writes_stopped > 0) report.write_downtime_seconds = wall_seconds() - writes_stopped;
  save(options.target_uri, report);
  return report;
}

namespace {

void json_list(std::string& out, const char* key, const std::vector<std::string>& items) {
  out += fmt::format("\"{}\":[", key);
  for (size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += ",";
    append_json_string(items[i], out);
  }
  out += "]";
}

}  // namespace

std::string cutover_text(const CutoverReport& r) {
  std::string out;
  if (r.dry_run) {
    out += fmt::format("cutover plan for {} -> schema {} (dry run: nothing changed)\n",
                       r.source_database, r.target_schema);
    for (size_t i = 0; i < r.plan.size(); ++i) out += fmt::format("  {}. {}\n", i + 1, r.plan[i]);
    out += "  the source now stands at " + where(r.final_position) + "\n";
    return out;
  }
  out += fmt::format("cutover of {} -> schema {}: {}\n", r.source_database, r.target_schema,
                     r.equal ? "done" : "STOPPED: the target differs from the source");
  const double t0 = r.timeline.empty() ? 0 : r.timeline.front().at;
  for (const auto& e : r.timeline) {
    out += fmt::format("  +{:7.3f} s  {}{}\n", e.at - t0, e.what,
                       e.detail.empty() ? "" : " (" + e.detail + ")");
  }
  out += "  final source position " + where(r.final_position) + "\n";
  if (r.source_read_only)
    out += fmt::format("  write downtime {:.3f} s (the source stays read-only)\n",
                       r.write_downtime_seconds);
  for (const auto& g : r.generators) out += "  generator " + g + "\n";
  for (const auto& c : r.constraints_validated) out += "  validated " + c + "\n";
  if (!r.equal) {
    for (const auto& t : r.verify.tables) {
      if (t.equal()) continue;
      out += fmt::format("  differs: {} (source {} rows, target {}", t.source_table, t.source_rows,
                         t.target_rows);
      for (const auto& d : t.rows) out += fmt::format("; {} {}", d.kind, d.key);
      out += ")\n";
    }
    out += "  the replica stays attached";
    out += r.source_read_only ? " and the source read-only (SET GLOBAL read_only = OFF to go "
                                "back to it)\n"
                              : "\n";
  }
  for (const auto& w : r.warnings) out += "  warning: " + w + "\n";
  return out;
}

std::string cutover_json(const CutoverReport& r) {
  std::string out = "{\"source_database\":";
  append_json_string(r.source_database, out);
  out += ",\"target_schema\":";
  append_json_string(r.target_schema, out);
  out += fmt::format(",\"dry_run\":{},\"equal\":{},\"source_read_only\":{}", r.dry_run, r.equal,
                     r.source_read_only);
  out += ",\"final_position\":{\"file\":";
  append_json_string(r.final_position.file, out);
  out += fmt::format(",\"pos\":{}}}", r.final_position.pos);
  out += fmt::format(",\"write_downtime_seconds\":{:.3f},", r.write_downtime_seconds);
  json_list(out, "plan", r.plan);
  out += ",\"timeline\":[";
  for (size_t i = 0; i < r.timeline.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"event\":";
    append_json_string(r.timeline[i].what, out);
    out += ",\"at\":";
    append_json_string(iso_utc(r.timeline[i].at), out);
    out += ",\"detail\":";
    append_json_string(r.timeline[i].detail, out);
    out += "}";
  }
  out += "],\"differing_tables\":[";
  bool first = true;
  for (const auto& t : r.verify.tables) {
    if (t.equal()) continue;
    if (!first) out += ",";
    first = false;
    append_json_string(t.source_table, out);
  }
  out += "],";
  json_list(out, "generators", r.generators);
  out += ",";
  json_list(out, "constraints_validated", r.constraints_validated);
  out += ",";
  json_list(out, "warnings", r.warnings);
  out += "}\n";
  return out;
}

}  // namespace my2pg::replica
