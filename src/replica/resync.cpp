#include "replica/resync.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "common/error.hpp"
#include "common/pg_names.hpp"
#include "control/migrator.hpp"
#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "replica/applier.hpp"
#include "replica/hold.hpp"
#include "replica/monitor.hpp"
#include "replica/replicate.hpp"
#include "replica/status.hpp"
#include "schema/ddl_tracker.hpp"
#include "snapshot/source_model.hpp"
#include "snapshot/source_snapshot.hpp"
#include "snapshot/table_copy.hpp"

namespace my2pg::replica {
namespace {

// Inside resync's transaction, with the tables locked: each table's rows replaced by the
// snapshot's, checked, its generators moved and (when there is a copy of my2pg's) its position
// recorded.
void copy_tables(ResyncReport& report, mysql::Connection& src, pg::Connection& tgt,
                 const snapshot::SourceModel& source, const std::vector<size_t>& chosen,
                 bool recorded);

}  // namespace

ResyncReport run_resync(const ResyncOptions& options) {
  const mysql::Endpoint endpoint = snapshot::source_endpoint(options.source_uri);
  const std::string& db = endpoint.database;
  ResyncReport report;
  report.source_database = db;
  if (options.tables.empty())
    throw ConfigError("resync needs --table NAME (one or more, comma-separated)");
  const auto replicas = read_status(options.target_uri, db, "");
  if (replicas.empty()) {
    throw ConfigError("the target holds no replica of " + db +
                      "; resync copies tables of a replica again (run my2pg replicate first, or "
                      "my2pg migrate --replace to copy everything)");
  }
  const ReplicaStatus& replica = replicas.front();
  if (replica.state == "detached") {
    throw ConfigError("the replica of " + db +
                      " was detached (cutover); resync would copy into a target that no longer "
                      "follows the source");
  }

  mysql::Connection src(endpoint);
  pg::Connection tgt(options.target_uri);
  snapshot::ModelOptions model = options.model;
  model.target_schema = replica.target_schema;
  const snapshot::SourceModel source =
      snapshot::load_model(src, db, model, snapshot::has_postgis(tgt));
  std::vector<size_t> chosen;
  for (const std::string& wanted : options.tables) {
    const std::string name = wanted.rfind(db + ".", 0) == 0 ? wanted.substr(db.size() + 1) : wanted;
    size_t found = source.catalog.tables.size();
    for (size_t i = 0; i < source.catalog.tables.size(); ++i) {
      if (source.catalog.tables[i].name == name) found = i;
    }
    if (found == source.catalog.tables.size()) {
      std::string known;
      for (const auto& t : source.catalog.tables) known += (known.empty() ? "" : ", ") + t.name;
      throw ConfigError(
          "--table " + wanted + ": " + db + " has no replicated table of that name (" +
          (known.empty() ? std::string("none is replicated") : "replicated: " + known) + ")");
    }
    chosen.push_back(found);
  }

  // A paused table that a paused parent's foreign-key actions reach (the tables a pause sets
  // aside together, Route::cascades): copied alone it would lack those actions for as long as
  // the parent stays paused.
  {
    std::set<std::string> paused, picked;
    for (const auto& row :
         tgt.query("SELECT source_table FROM my2pg.paused_table WHERE source_database = $1", {db})
             .rows)
      paused.insert(row.at(0).value_or(""));
    for (const size_t i : chosen) picked.insert(source.catalog.tables[i].name);
    const std::vector<Route> routes = make_routes(source.catalog.tables, source.targets);
    for (const Route& parent : routes) {
      if (paused.count(parent.source->name) == 0 || picked.count(parent.source->name) != 0)
        continue;
      for (const Cascade& c : parent.cascades) {
        const std::string& child = routes[c.child].source->name;
        if (paused.count(child) == 0 || picked.count(child) == 0) continue;
        throw ConfigError("--table " + child + ": its foreign key " + c.name +
                          " takes actions (ON DELETE " + c.on_delete + ", ON UPDATE " +
                          c.on_update + ") from " + parent.source->name +
                          ", which is paused too; copy them together: --table " + child + "," +
                          parent.source->name);
      }
    }
  }

  // Held at the snapshot's position while the tables are locked on the target: nothing of them
  // after that position can be applied before the new copy is in.
  ReplicaHold hold(options.target_uri, db);
  report.replica_running = hold.active();
  // A replicate started later skips, per table, what the copy holds: it reads the tables'
  // positions from my2pg.table_state, which belongs to a copy of my2pg's.
  const bool recorded =
      !tgt.query("SELECT 1 FROM my2pg.snapshot WHERE source_database = $1", {db}).rows.empty();
  if (!recorded && !report.replica_running) {
    throw ConfigError("the replica of " + db +
                      " was loaded some other way (replicate --from), so a new copy's position "
                      "cannot be recorded for it; start my2pg replicate, then resync while it "
                      "runs");
  }
  if (!report.replica_running) {
    // No replicate may start until the copy and its positions are in: it takes this lock.
    if (!try_replica_lock(tgt, db)) {
      throw ConfigError("a my2pg replicate of " + db +
                        " is starting or running; run resync again once it follows");
    }
  }
  hold.before();
  report.position = snapshot::start_consistent_snapshot(src);
  hold.advance_to(report.position);
  // The definitions were read before the snapshot began: a table altered in between would be
  // copied without its change (and a later one fails the copy's reads in the snapshot).
  const snapshot::SourceModel now =
      snapshot::load_model(src, db, model, snapshot::has_postgis(tgt));
  for (const size_t i : chosen) {
    const schema::Table& t = source.catalog.tables[i];
    const auto same = std::find_if(now.catalog.tables.begin(), now.catalog.tables.end(),
                                   [&](const schema::Table& n) { return n.name == t.name; });
    if (same == now.catalog.tables.end() ||
        schema::create_table_statement(*same, same->collation) !=
            schema::create_table_statement(t, t.collation)) {
      throw SourceError("the definition of " + t.qualified_name() +
                        " changed while resync started (a schema change on the source); run "
                        "resync again");
    }
  }
  tgt.execute("SET TimeZone = 'UTC'");
  pg::Transaction tx(tgt);
  // Triggers and foreign-key checks off, as replicate applies (the source ran them). The locks
  // must come while the replica is held: a long reader of these tables fails resync instead.
  tgt.execute("SET LOCAL session_replication_role = replica");
  tgt.execute("SET LOCAL lock_timeout = '20s'");
  for (const size_t i : chosen) {
    const auto& t = source.targets[i];
    tgt.execute("LOCK TABLE " + pg::quote_identifier(t.schema) + "." +
                pg::quote_identifier(t.name) + " IN ACCESS EXCLUSIVE MODE");
  }
  // Paused tables are applied again from this position on: their pause ends with this copy's
  // transaction. A running replica reads a pause row this transaction deletes as gone before
  // the hold ends, follows the table from the hold's position on (its changes wait for these
  // locks), and checks that the copy committed: a resync that fails or is killed leaves the
  // row, and the table paused.
  for (const size_t i : chosen) {
    tgt.query("DELETE FROM my2pg.paused_table WHERE source_database = $1 AND source_table = $2",
              {db, source.catalog.tables[i].name});
  }
  hold.release();
  report.held_seconds = hold.held_seconds();
  copy_tables(report, src, tgt, source, chosen, recorded);
  tx.commit();
  src.execute("COMMIT");
  return report;
}

namespace {

void copy_tables(ResyncReport& report, mysql::Connection& src, pg::Connection& tgt,
                 const snapshot::SourceModel& source, const std::vector<size_t>& chosen,
                 bool recorded) {
  const std::string& db = report.source_database;

  for (const size_t i : chosen) {
    const schema::Table& table = source.catalog.tables[i];
    const typemap::TargetTable& t = source.targets[i];
    const auto started = std::chrono::steady_clock::now();
    const std::string name = pg::quote_identifier(t.schema) + "." + pg::quote_identifier(t.name);
    // DELETE rather than TRUNCATE: other tables' foreign keys may refer to this one.
    tgt.execute("DELETE FROM " + name);
    snapshot::CopySpec spec;
    spec.offer_skip_row = false;  // a resync copies every row or none
    const snapshot::CopyResult copied = snapshot::copy_table(src, tgt, table, t, spec);
    const std::string stored =
        tgt.query("SELECT count(*) FROM " + name).rows.at(0).at(0).value_or("0");
    if (std::to_string(copied.rows) != stored) {
      throw MismatchError(fmt::format("resync of {}: {} rows sent, {} stored; nothing changed",
                                      table.qualified_name(), copied.rows, stored));
    }
    snapshot::sync_generators(tgt, table, t);
    const auto& p = report.position;
    if (recorded) {
      // The definition the copy was made with: the next replicate decodes and applies the
      // table's later changes with it (it may differ from the one the replica tracked, after
      // --on-ddl skip). A running replica keeps its own, which its schema changes write.
      if (!report.replica_running) {
        tgt.query(snapshot::kSaveDefinitionSql,
                  {db, table.name, schema::create_table_statement(table, table.collation), p.file,
                   std::to_string(p.pos)});
      }
      tgt.query(
          "INSERT INTO my2pg.table_state (source_database, source_table, target_table, "
          "rows_copied, bytes_copied, state, binlog_file, binlog_pos, gtid_set) VALUES ($1, $2, "
          "$3, $4, $5, 'copied', $6, $7, nullif($8, '')) ON CONFLICT (source_database, "
          "source_table) DO UPDATE SET target_table = EXCLUDED.target_table, rows_copied = "
          "EXCLUDED.rows_copied, bytes_copied = EXCLUDED.bytes_copied, copied_at = now(), "
          "binlog_file = EXCLUDED.binlog_file, binlog_pos = EXCLUDED.binlog_pos, gtid_set = "
          "EXCLUDED.gtid_set",
          {db, table.name, t.name, std::to_string(copied.rows), std::to_string(copied.bytes),
           p.file, std::to_string(p.pos), p.gtid_set});
    }
    ResyncReport::Table r;
    r.source = table.qualified_name();
    r.target = t.schema + "." + t.name;
    r.rows = copied.rows;
    r.bytes = copied.bytes;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("resynced {}: {} rows as of {}", r.source, r.rows, p.display());
    report.tables.push_back(r);
  }
}

}  // namespace

}  // namespace my2pg::replica
