#include "snapshot/migrate.hpp"

#include "snapshot/progress.hpp"

#include <fnmatch.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "common/error.hpp"
#include "control/migrator.hpp"
#include "mysql/catalog.hpp"
#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "schema/catalog.hpp"
#include "snapshot/source_snapshot.hpp"
#include "snapshot/table_copy.hpp"
#include "snapshot/target_ddl.hpp"
#include "typemap/target_table.hpp"
#include "typemap/type_rules.hpp"

namespace my2pg::snapshot {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string server_of(const mysql::Endpoint& ep) {
  return ep.socket.empty() ? ep.host + ":" + std::to_string(ep.port) : ep.socket;
}

// An earlier copy of the same source database, or tables in the way, are only replaced when the
// user asked for it: never overwrite a target silently.
void prepare_target(pg::Connection& tgt, const MigrateOptions& options, const std::string& db,
                    const std::string& schema, const std::vector<typemap::TargetTable>& tables,
                    const std::vector<std::string>& types) {
  const RowSet earlier =
      tgt.query("SELECT target_schema, state FROM my2pg.snapshot WHERE source_database = $1", {db});
  std::vector<std::string> existing;
  for (const auto& t : tables) {
    const RowSet r = tgt.query("SELECT to_regclass($1) IS NOT NULL", {qualified_name(t)});
    if (r.rows.at(0).at(0) == "t") existing.push_back(t.schema + "." + t.name);
  }
  for (const auto& type : types) {
    const RowSet r = tgt.query("SELECT to_regtype($1) IS NOT NULL", {type});
    if (r.rows.at(0).at(0) == "t") existing.push_back("type " + type);
  }
  if (!options.replace && !earlier.rows.empty()) {
    const std::string earlier_schema = earlier.rows[0][0].value_or("");
    throw TargetError((earlier.rows[0][1] == "done"
                           ? "source database '" + db + "' was already copied into schema '"
                           : "an unfinished copy of source database '" + db + "' into schema '") +
                      earlier_schema + "' exists; pass --replace to drop it and copy again");
  }
  if (!options.replace && !existing.empty()) {
    const std::string more =
        existing.size() > 1 ? " and " + std::to_string(existing.size() - 1) + " more" : "";
    throw TargetError("tables or types already exist on the target (" + existing.front() + more +
                      "); pass --replace to drop them and copy again");
  }
  pg::Transaction tx(tgt);
  for (const auto& t : tables)
    tgt.execute("DROP TABLE IF EXISTS " + qualified_name(t) + " CASCADE");
  for (const auto& type : types) tgt.execute("DROP TYPE IF EXISTS " + type + " CASCADE");
  tgt.query("DELETE FROM my2pg.snapshot WHERE source_database = $1", {db});
  tgt.query("DELETE FROM my2pg.rejects WHERE source_database = $1", {db});
  tgt.execute("CREATE SCHEMA IF NOT EXISTS " + pg::quote_identifier(schema));
  tx.commit();
}

// Moves each AUTO_INCREMENT column's generator past both the copied maximum and MySQL's own
// counter (which can be higher after deletes), so new target rows get new values.
void sync_generators(pg::Connection& tgt, const schema::Table& source,
                     const typemap::TargetTable& t) {
  const std::string table = qualified_name(t);
  for (const auto& c : t.columns) {
    if (c.serial == typemap::Serial::none) continue;
    const std::string col = pg::quote_identifier(c.name);
    const RowSet r =
        tgt.query("SELECT greatest(coalesce(max(" + col +
                      "), 0) + 1, $1::numeric)::text, "
                      "greatest(coalesce(max(" +
                      col + "), 0) + 1, $1::numeric) <= 9223372036854775807 FROM " + table,
                  {std::to_string(source.auto_increment_next.value_or(1))});
    const std::string next = r.rows.at(0).at(0).value_or("1");
    if (r.rows.at(0).at(1) != "t") {
      spdlog::warn(
          "{}.{}: the next AUTO_INCREMENT value {} is beyond PostgreSQL's bigint "
          "sequences; its generator was left unchanged, so give new rows explicit values",
          source.qualified_name(), c.name, next);
      continue;
    }
    tgt.query("SELECT setval(pg_get_serial_sequence($1, $2), $3::bigint, false)",
              {table, c.name, next});
  }
}

// Tables an earlier, interrupted run copied (from another snapshot) are not compared.
void verify_counts(mysql::Connection& src, pg::Connection& tgt,
                   const std::vector<schema::Table>& tables,
                   const std::vector<typemap::TargetTable>& targets, MigrateReport& report,
                   const std::set<std::string>& earlier) {
  std::string differences;
  for (size_t i = 0; i < tables.size(); ++i) {
    if (earlier.count(tables[i].name) != 0) continue;
    const RowSet s =
        src.query("SELECT COUNT(*) FROM " + mysql::quote_identifier(tables[i].database) + "." +
                  mysql::quote_identifier(tables[i].name));
    const RowSet t = tgt.query("SELECT count(*) FROM " + qualified_name(targets[i]));
    const uint64_t source_rows = std::stoull(s.rows.at(0).at(0).value_or("0"));
    const uint64_t target_rows = std::stoull(t.rows.at(0).at(0).value_or("0"));
    report.tables[i].target_rows = target_rows;
    const uint64_t set_aside = report.tables[i].rejected;  // in my2pg.rejects, not the table
    if (source_rows != target_rows + set_aside) {
      differences += "\n  " + tables[i].qualified_name() + ": source " +
                     std::to_string(source_rows) + " rows, target " + std::to_string(target_rows);
      if (set_aside != 0) differences += " and " + std::to_string(set_aside) + " set aside";
    }
  }
  if (!differences.empty()) {
    throw MismatchError("verification failed: row counts differ at the snapshot" + differences);
  }
  report.verified = true;
}

struct SourceModel {
  schema::Catalog catalog;
  std::vector<typemap::TargetTable> targets;
  SchemaPlan plan;
  typemap::IdentifierMap names;
};

typemap::TypeRules load_rules(const std::string& mapping_file) {
  if (mapping_file.empty()) return typemap::TypeRules::load_default();
  return typemap::TypeRules::layered(typemap::TypeRules::load_file(mapping_file),
                                     typemap::TypeRules::load_default());
}

// A narrower opt-in mapping (TINYINT(1) to boolean, ENUM to a PostgreSQL enum) is refused when
// source rows hold values it cannot represent: say how many, show one, and say what to do.
void check_misfits(mysql::Connection& src, const schema::Table& table,
                   const typemap::TargetTable& target) {
  for (size_t i = 0; i < target.columns.size(); ++i) {
    const auto& tc = target.columns[i];
    const auto& sc = table.columns[i];
    const std::string condition = tc.type.misfit_condition(mysql::quote_identifier(sc.name));
    if (condition.empty()) continue;
    const std::string from = " FROM " + mysql::quote_identifier(table.database) + "." +
                             mysql::quote_identifier(table.name) + " WHERE " + condition;
    const RowSet count = src.query("SELECT COUNT(*)" + from);
    const std::string n = count.rows.at(0).at(0).value_or("0");
    if (n == "0") continue;
    std::string key_columns;
    for (const auto& k : table.primary_key)
      key_columns.append(", ").append(mysql::quote_identifier(k));
    const RowSet example = src.query("SELECT CAST(" + mysql::quote_identifier(sc.name) +
                                     " AS CHAR)" + key_columns + from + " LIMIT 1");
    std::string where;
    const auto& row = example.rows.at(0);
    for (size_t k = 0; k < table.primary_key.size(); ++k) {
      where.append(where.empty() ? " at " : ", ").append(table.primary_key[k]).append("=");
      where.append(row.at(k + 1).value_or("NULL"));
    }
    throw MappingError("the rule " + tc.type.origin + " maps " + table.qualified_name() + "." +
                       sc.name + " (" + sc.column_type + ") to " + tc.type.sql + ", but " + n +
                       " source row(s) hold values it cannot represent (e.g. '" +
                       row.at(0).value_or("NULL") + "'" + where +
                       "); fix those rows on the source or drop the rule");
  }
}

typemap::CasePolicy case_policy(const std::string& name) {
  if (name.empty() || name == "keep") return typemap::CasePolicy::keep;
  if (name == "lower") return typemap::CasePolicy::lower;
  throw ConfigError("--identifier-case must be keep or lower, not '" + name + "'");
}

bool selected(const std::string& qualified, const ModelOptions& options) {
  const auto any = [&](const std::vector<std::string>& globs) {
    return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) {
      return fnmatch(g.c_str(), qualified.c_str(), 0) == 0;
    });
  };
  return (options.include.empty() || any(options.include)) && !any(options.exclude);
}

SourceModel load_model(mysql::Connection& src, const std::string& database,
                       const ModelOptions& options, bool target_postgis) {
  const std::string& target_schema = options.target_schema;
  const std::string& mapping_file = options.mapping_file;
  const std::string& identifier_case = options.identifier_case;
  typemap::IdentifierOptions naming;
  naming.case_policy = case_policy(identifier_case);
  if (!target_schema.empty()) naming.schema_renames[database] = target_schema;
  SourceModel m{{}, {}, {}, typemap::IdentifierMap(naming)};
  m.catalog = schema::build_catalog(database, mysql::read_catalog(src, database));
  std::erase_if(m.catalog.tables,
                [&](const schema::Table& t) { return !selected(t.qualified_name(), options); });
  if (m.catalog.tables.empty() && (!options.include.empty() || !options.exclude.empty())) {
    throw ConfigError("no table of " + database + " is selected by --include/--exclude");
  }
  auto rules = load_rules(mapping_file);
  rules.set_target_postgis(target_postgis);
  for (const auto& t : m.catalog.tables) {
    m.targets.push_back(typemap::map_table(rules, t, m.names));
    check_misfits(src, t, m.targets.back());
  }
  m.plan = plan_schema(m.catalog, m.targets, m.names);
  return m;
}

// Source names PostgreSQL got under another name, for the replica, verify and people.
void record_names(pg::Connection& tgt, const std::string& database,
                  const typemap::IdentifierMap& names) {
  tgt.query("DELETE FROM my2pg.identifier_map WHERE source_database = $1", {database});
  for (const auto& e : names.changed()) {
    if (e.kind != "schema" && e.kind != "table" && e.kind != "column") continue;
    tgt.query(
        "INSERT INTO my2pg.identifier_map (source_database, kind, source_table, source_name, "
        "target_name) VALUES ($1, $2, $3, $4, $5)",
        {database, e.kind, e.kind == "column" ? e.table : std::string(), e.source, e.target});
  }
}

bool has_postgis(pg::Connection& tgt) {
  return !tgt.query("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").rows.empty();
}

mysql::Endpoint source_endpoint(const std::string& uri) {
  mysql::Endpoint endpoint = mysql::Endpoint::parse(uri);
  if (endpoint.database.empty()) {
    throw ConfigError(
        "the source URI names no database; add it as the path, e.g. " +
        mysql::Endpoint{endpoint.host, endpoint.port, endpoint.user, "", "shop", ""}.display());
  }
  return endpoint;
}

// An unfinished copy of the same database into the same schema (killed, crashed): the tables it
// completed, which a new run keeps, copying only the rest.
struct Resume {
  bool active = false;
  std::string position;                     // the earlier snapshot's, for messages
  std::map<std::string, TableReport> done;  // by source table
};

Resume find_resume(pg::Connection& tgt, const MigrateOptions& options, const std::string& db,
                   const std::string& schema) {
  Resume resume;
  if (options.replace) return resume;
  const RowSet earlier = tgt.query(
      "SELECT target_schema, state, coalesce(binlog_file || ':' || binlog_pos, 'no binlog') "
      "FROM my2pg.snapshot WHERE source_database = $1",
      {db});
  if (earlier.rows.empty() || earlier.rows[0][1] != "copying" || earlier.rows[0][0] != schema)
    return resume;  // nothing to resume: prepare_target says what is in the way, if anything
  resume.active = true;
  resume.position = earlier.rows[0][2].value_or("");
  const RowSet copied = tgt.query(
      "SELECT source_table, target_table, rows_copied, bytes_copied FROM my2pg.table_state "
      "WHERE source_database = $1",
      {db});
  for (const auto& r : copied.rows) {
    TableReport t;
    t.source_table = r.at(0).value_or("");
    t.target_table = schema + "." + r.at(1).value_or("");
    t.rows = std::stoull(r.at(2).value_or("0"));
    t.bytes = std::stoull(r.at(3).value_or("0"));
    resume.done[t.source_table] = t;
  }
  return resume;
}

// One table in one target transaction: its DDL, its data, its primary key, its generators and
// its control row, so that a failure leaves nothing of it behind.
TableReport copy_one(mysql::Connection& src, pg::Connection& tgt, const std::string& database,
                     const BinlogPosition& position, const std::string& target_schema,
                     const schema::Table& table, const typemap::TargetTable& target,
                     const SchemaPlan::TableDdl& ddl, OnError on_error,
                     std::atomic<uint64_t>* rows_read, std::vector<NotMigrated>& refused) {
  const auto started = Clock::now();
  pg::Transaction tx(tgt);
  if (!ddl.create.empty()) apply_statements(tgt, ddl.create, refused);
  const CopyResult copied = copy_table(src, tgt, table, target, on_error, rows_read);
  for (const RejectedRow& r : copied.rejected) {
    tgt.query(
        "INSERT INTO my2pg.rejects (source_database, source_table, row_key, column_name, "
        "value_excerpt, reason) VALUES ($1, $2, $3, $4, $5, $6)",
        {database, table.name, r.key, r.column, r.value, r.reason});
  }
  if (!copied.rejected.empty()) {
    spdlog::warn("{}: {} row(s) set aside in my2pg.rejects, the first at {} (column {}: {})",
                 table.qualified_name(), copied.rejected.size(), copied.rejected[0].key,
                 copied.rejected[0].column, copied.rejected[0].reason);
  }
  apply_statements(tgt, ddl.primary_key, refused);
  sync_generators(tgt, table, target);
  tgt.query(
      "INSERT INTO my2pg.table_state (source_database, source_table, target_table, "
      "rows_copied, bytes_copied, state, binlog_file, binlog_pos, gtid_set) "
      "VALUES ($1, $2, $3, $4, $5, 'copied', $6, $7, $8)",
      {database, table.name, target.name, std::to_string(copied.rows - copied.rejected.size()),
       std::to_string(copied.bytes), position.known() ? std::optional(position.file) : std::nullopt,
       position.known() ? std::optional(std::to_string(position.pos)) : std::nullopt,
       position.known() ? std::optional(position.gtid_set) : std::nullopt});
  tx.commit();
  TableReport tr;
  tr.source_table = table.name;
  tr.target_table = target_schema + "." + target.name;
  tr.rows = copied.rows;
  tr.bytes = copied.bytes;
  tr.rejected = copied.rejected.size();
  tr.seconds = seconds_since(started);
  spdlog::info("copied {}: {} rows, {} bytes in {:.2f} s", table.qualified_name(), tr.rows,
               tr.bytes, tr.seconds);
  return tr;
}

}  // namespace

SchemaResult run_schema(const SchemaOptions& options) {
  const mysql::Endpoint endpoint = source_endpoint(options.source_uri);
  mysql::Connection src(endpoint);
  src.execute("SET SESSION time_zone = '+00:00'");  // TIMESTAMP defaults are shown in UTC
  // A dry run needs no target; given one, it plans for it (PostGIS or not).
  std::unique_ptr<pg::Connection> target;
  if (!options.target_uri.empty()) target = std::make_unique<pg::Connection>(options.target_uri);
  SourceModel model =
      load_model(src, endpoint.database, options.model, target != nullptr && has_postgis(*target));
  const std::string schema_name = model.names.schema(endpoint.database);
  SchemaResult result;
  if (!options.dry_run) {
    pg::Connection& tgt = *target;
    control::migrate_control_schema(tgt);
    MigrateOptions m;
    m.replace = options.replace;
    prepare_target(tgt, m, endpoint.database, schema_name, model.targets, model.plan.types);
    pg::Transaction tx(tgt);
    auto& p = model.plan;
    apply_statements(tgt, p.pre_data, p.not_migrated);
    record_names(tgt, endpoint.database, model.names);
    for (const auto& t : p.tables) {
      apply_statements(tgt, t.create, p.not_migrated);
      apply_statements(tgt, t.primary_key, p.not_migrated);
    }
    apply_statements(tgt, p.indexes, p.not_migrated);
    apply_statements(tgt, p.foreign_keys, p.not_migrated);
    apply_statements(tgt, p.checks, p.not_migrated);
    apply_statements(tgt, p.triggers, p.not_migrated);
    tx.commit();
    result.applied = true;
  }
  result.sql = plan_sql(model.plan);
  result.report = plan_report(model.plan);
  result.target_schema = schema_name;
  for (const auto& n : model.plan.not_migrated)
    result.not_migrated.push_back(n.object + ": " + n.reason);
  return result;
}

MigrateReport run_migrate(const MigrateOptions& options) {
  const auto started = Clock::now();
  const mysql::Endpoint endpoint = source_endpoint(options.source_uri);
  MigrateReport report;
  report.source_database = endpoint.database;
  if (options.schema_only) {
    SchemaOptions schema_options{options.source_uri, options.target_uri, options.model,
                                 options.replace, false};
    const SchemaResult result = run_schema(schema_options);
    report.target_schema = result.target_schema;
    report.not_migrated = result.not_migrated;
    report.seconds = seconds_since(started);
    return report;
  }

  if (options.jobs == 0 || options.jobs > 64) {
    throw ConfigError("--jobs must be between 1 and 64, not " + std::to_string(options.jobs));
  }
  mysql::Connection src(endpoint);
  spdlog::info("source {} ({})", endpoint.display(), src.server_version());
  // One source connection per worker beyond the first; the first worker uses `src`.
  std::vector<std::unique_ptr<mysql::Connection>> worker_sources;
  std::vector<mysql::Connection*> snapshot_conns{&src};
  for (unsigned j = 1; j < options.jobs; ++j) {
    snapshot_conns.push_back(
        worker_sources.emplace_back(std::make_unique<mysql::Connection>(endpoint)).get());
  }
  report.position = start_shared_snapshot(snapshot_conns);
  spdlog::info("snapshot consistent with binlog position {}", report.position.display());

  pg::Connection tgt(options.target_uri);
  spdlog::info("target {}", tgt.display());
  SourceModel model = load_model(src, endpoint.database, options.model, has_postgis(tgt));
  report.target_schema = model.names.schema(endpoint.database);
  const auto& tables = model.catalog.tables;
  const auto& targets = model.targets;
  SchemaPlan plan = model.plan;
  spdlog::info("{} tables to copy from {}", tables.size(), endpoint.database);

  control::migrate_control_schema(tgt);
  const Resume resume = find_resume(tgt, options, endpoint.database, report.target_schema);
  if (resume.active) {
    spdlog::warn(
        "resuming the unfinished copy of {} into schema {}: {} of {} tables were copied from the "
        "snapshot at {}; the others are copied from this one, and each table's position is in "
        "my2pg.table_state",
        endpoint.database, report.target_schema, resume.done.size(), tables.size(),
        resume.position);
    pg::Transaction tx(tgt);  // tables an interrupted parallel copy created but did not fill
    for (size_t i = 0; i < tables.size(); ++i) {
      if (resume.done.count(tables[i].name) == 0)
        tgt.execute("DROP TABLE IF EXISTS " + qualified_name(targets[i]) + " CASCADE");
    }
    tx.commit();
    // Types the earlier run created stay; the statements creating them are not run again.
    for (const auto& type : plan.types) {
      if (tgt.query("SELECT to_regtype($1) IS NOT NULL", {type}).rows.at(0).at(0) != "t") continue;
      std::erase_if(plan.pre_data, [&](const Statement& s) { return s.creates_type == type; });
    }
  } else {
    prepare_target(tgt, options, endpoint.database, report.target_schema, targets, plan.types);
  }
  if (!resume.active) {
    const auto& p = report.position;
    tgt.query(
        "INSERT INTO my2pg.snapshot (source_database, target_schema, source_server, "
        "source_flavor, source_version, binlog_file, binlog_pos, gtid_set, state) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'copying')",
        {endpoint.database, report.target_schema, server_of(endpoint),
         src.flavor() == mysql::Flavor::mariadb ? "mariadb" : "mysql", src.server_version(),
         p.known() ? std::optional(p.file) : std::nullopt,
         p.known() ? std::optional(std::to_string(p.pos)) : std::nullopt,
         p.known() ? std::optional(p.gtid_set) : std::nullopt});
  }

  {
    pg::Transaction tx(tgt);
    apply_statements(tgt, plan.pre_data, plan.not_migrated);
    record_names(tgt, endpoint.database, model.names);
    tx.commit();
  }
  // Largest tables first, so that workers finish close together.
  std::vector<size_t> order(tables.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return tables[a].data_length.value_or(0) > tables[b].data_length.value_or(0);
  });
  report.tables.resize(tables.size());
  std::erase_if(order, [&](size_t i) { return resume.done.count(tables[i].name) != 0; });
  for (size_t i = 0; i < tables.size(); ++i) {
    if (const auto it = resume.done.find(tables[i].name); it != resume.done.end())
      report.tables[i] = it->second;
  }
  if (options.progress != nullptr) {
    std::vector<std::string> names;
    std::vector<uint64_t> estimates;
    for (const auto& t : tables) {
      names.push_back(t.name);
      estimates.push_back(t.estimated_rows.value_or(0));
    }
    options.progress->begin(std::move(names), std::move(estimates));
    for (size_t i = 0; i < tables.size(); ++i) {
      if (resume.done.count(tables[i].name) == 0) continue;
      options.progress->counter(i) = report.tables[i].rows;
      options.progress->set_state(i, CopyProgress::State::done);
    }
  }
  // With several workers the tables are created first, in one committed transaction: names
  // PostgreSQL picks by itself (array types, say) would otherwise clash between workers'
  // uncommitted transactions. Workers then only copy, key and record their table.
  std::vector<SchemaPlan::TableDdl> worker_ddl = plan.tables;
  if (options.jobs > 1) {
    pg::Transaction tx(tgt);
    for (const size_t i : order) {
      apply_statements(tgt, worker_ddl[i].create, plan.not_migrated);
      worker_ddl[i].create.clear();
    }
    tx.commit();
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto work = [&](mysql::Connection& source, pg::Connection& target,
                  std::vector<NotMigrated>& refused) {
    while (!stop) {
      const size_t n = next++;
      if (n >= order.size()) return;
      const size_t i = order[n];
      try {
        CopyProgress* progress = options.progress;
        if (progress != nullptr) progress->set_state(i, CopyProgress::State::copying);
        report.tables[i] = copy_one(source, target, endpoint.database, report.position,
                                    report.target_schema, tables[i], targets[i], worker_ddl[i],
                                    options.skip_bad_rows ? OnError::skip_row : OnError::stop,
                                    progress != nullptr ? &progress->counter(i) : nullptr, refused);
        if (progress != nullptr) progress->set_state(i, CopyProgress::State::done);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        stop = true;
      }
    }
  };
  std::vector<std::vector<NotMigrated>> refused(options.jobs);
  if (options.jobs == 1) {
    work(src, tgt, refused[0]);
  } else {
    std::vector<std::thread> threads;
    for (unsigned j = 0; j < options.jobs; ++j) {
      threads.emplace_back([&, j] {
        try {
          pg::Connection target(options.target_uri);
          work(*snapshot_conns[j], target, refused[j]);
        } catch (...) {
          const std::lock_guard<std::mutex> lock(error_mutex);
          if (!error) error = std::current_exception();
          stop = true;
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  if (error) {
    if (options.jobs > 1) {  // leave no empty table behind for the ones not copied
      try {
        pg::Transaction tx(tgt);
        for (size_t i = 0; i < tables.size(); ++i) {
          if (report.tables[i].target_table.empty())
            tgt.execute("DROP TABLE IF EXISTS " + qualified_name(targets[i]) + " CASCADE");
        }
        tx.commit();
      } catch (const Error& e) {
        spdlog::warn("could not drop the tables left empty by the failed copy: {}", e.what());
      }
    }
    std::rethrow_exception(error);
  }
  for (auto& r : refused) plan.not_migrated.insert(plan.not_migrated.end(), r.begin(), r.end());
  {
    const auto started_post = Clock::now();
    pg::Transaction tx(tgt);
    apply_statements(tgt, plan.indexes, plan.not_migrated);
    apply_statements(tgt, plan.foreign_keys, plan.not_migrated);
    apply_statements(tgt, plan.checks, plan.not_migrated);
    apply_statements(tgt, plan.triggers, plan.not_migrated);
    tgt.query(
        "UPDATE my2pg.snapshot SET state = 'done', finished_at = now() WHERE source_database = $1",
        {endpoint.database});
    tx.commit();
    spdlog::info("{} indexes, {} foreign keys, {} checks, {} triggers built in {:.2f} s",
                 plan.indexes.size(), plan.foreign_keys.size(), plan.checks.size(),
                 plan.triggers.size(), seconds_since(started_post));
  }
  for (const auto& n : plan.not_migrated) report.not_migrated.push_back(n.object + ": " + n.reason);
  std::set<std::string> earlier;
  for (const auto& [name, t] : resume.done) earlier.insert(name);
  report.resumed_tables = earlier.size();
  report.resumed_from = resume.position;
  if (options.verify) verify_counts(src, tgt, tables, targets, report, earlier);
  src.execute("COMMIT");
  report.seconds = seconds_since(started);
  return report;
}

}  // namespace my2pg::snapshot
