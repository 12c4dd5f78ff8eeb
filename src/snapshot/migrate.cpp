#include "snapshot/migrate.hpp"

#include "snapshot/progress.hpp"

#include <fmt/format.h>
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
#include "replica/source_settings.hpp"
#include "schema/catalog.hpp"
#include "schema/ddl_tracker.hpp"
#include "snapshot/chunks.hpp"
#include "snapshot/source_model.hpp"
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
// The control rows of an earlier copy of `db`, before a new one. A replica of the old copy must
// not resume on the new one (it follows from the new position, with the new definitions).
void forget_copy(pg::Connection& tgt, const std::string& db) {
  for (const char* table : {"snapshot", "rejects", "replica", "replica_progress", "source_table"})
    tgt.query(std::string("DELETE FROM my2pg.") + table + " WHERE source_database = $1", {db});
}

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
  forget_copy(tgt, db);
  tgt.execute("CREATE SCHEMA IF NOT EXISTS " + pg::quote_identifier(schema));
  tx.commit();
}

// The source's row counts at the snapshot against the target's, which finishing each table
// counted while digesting it: a row no chunk read would show here. Tables an earlier,
// interrupted run finished (from another snapshot) are not compared.
void verify_counts(mysql::Connection& src, const std::vector<schema::Table>& tables,
                   MigrateReport& report, const std::set<std::string>& earlier) {
  std::string differences;
  for (size_t i = 0; i < tables.size(); ++i) {
    if (earlier.count(tables[i].name) != 0) continue;
    const RowSet s =
        src.query("SELECT COUNT(*) FROM " + mysql::quote_identifier(tables[i].database) + "." +
                  mysql::quote_identifier(tables[i].name));
    const uint64_t source_rows = std::stoull(s.rows.at(0).at(0).value_or("0"));
    const uint64_t target_rows = report.tables[i].target_rows.value_or(0);
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

}  // namespace

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

bool table_selected(const std::string& qualified, const ModelOptions& options) {
  const auto any = [&](const std::vector<std::string>& globs) {
    return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) {
      return fnmatch(g.c_str(), qualified.c_str(), 0) == 0;
    });
  };
  return (options.include.empty() || any(options.include)) && !any(options.exclude);
}

const char* const kSaveDefinitionSql =
    "INSERT INTO my2pg.source_table (source_database, source_table, definition, binlog_file, "
    "binlog_pos) VALUES ($1, $2, $3, $4, $5::bigint) ON CONFLICT (source_database, source_table) "
    "DO UPDATE SET definition = EXCLUDED.definition, binlog_file = EXCLUDED.binlog_file, "
    "binlog_pos = EXCLUDED.binlog_pos, updated_at = now()";

SourceModel map_model(schema::Catalog catalog, const ModelOptions& options, bool target_postgis) {
  const std::string database = catalog.database;
  typemap::IdentifierOptions naming;
  naming.case_policy = case_policy(options.identifier_case);
  if (!options.target_schema.empty()) naming.schema_renames[database] = options.target_schema;
  SourceModel m{{}, {}, {}, typemap::IdentifierMap(naming)};
  m.catalog = std::move(catalog);
  std::erase_if(m.catalog.tables, [&](const schema::Table& t) {
    return !table_selected(t.qualified_name(), options);
  });
  std::sort(m.catalog.tables.begin(), m.catalog.tables.end(),
            [](const schema::Table& a, const schema::Table& b) { return a.name < b.name; });
  auto rules = load_rules(options.mapping_file);
  rules.set_target_postgis(target_postgis);
  for (const auto& t : m.catalog.tables) m.targets.push_back(typemap::map_table(rules, t, m.names));
  m.plan = plan_schema(m.catalog, m.targets, m.names);
  return m;
}

// information_schema shows a BINARY or VARBINARY default in the connection's character set,
// where bytes that are not UTF-8 become '?' (x'ff00' reads '?\0'). SHOW CREATE TABLE gives the
// bytes themselves, escaped, one column definition per line: those lines are read again through
// the schema parser.
void read_binary_defaults(mysql::Connection& src, schema::Catalog& catalog,
                          const ModelOptions& options) {
  const auto lossy = [](const schema::Column& c) {
    return (c.data_type == "binary" || c.data_type == "varbinary") &&
           c.default_value.kind == schema::DefaultKind::literal &&
           c.default_value.value.find('?') != std::string::npos;
  };
  for (schema::Table& t : catalog.tables) {
    if (!table_selected(t.qualified_name(), options) ||
        std::none_of(t.columns.begin(), t.columns.end(), lossy))
      continue;
    const std::string shown = src.query("SHOW CREATE TABLE " + mysql::quote_identifier(t.database) +
                                        "." + mysql::quote_identifier(t.name))
                                  .rows.at(0)
                                  .at(1)
                                  .value_or("");
    std::string definitions;
    for (const schema::Column& c : t.columns) {
      const size_t at = shown.find("\n  " + mysql::quote_identifier(c.name) + " ");
      if (!lossy(c) || at == std::string::npos) continue;
      std::string line = shown.substr(at + 1, shown.find('\n', at + 1) - at - 1);
      if (!line.empty() && line.back() == ',') line.pop_back();
      definitions.append(definitions.empty() ? "" : ", ").append(line);
    }
    if (definitions.empty()) continue;
    schema::TrackedSchema parsed;
    parsed.database = t.database;
    parsed.mariadb = src.flavor() == mysql::Flavor::mariadb;
    schema::apply_ddl(parsed,
                      "CREATE TABLE " + mysql::quote_identifier(t.name) + " (" + definitions + ")",
                      t.database, [](const std::string&) { return true; });
    for (const schema::Column& read : parsed.tables.at(t.name).columns) {
      for (schema::Column& c : t.columns) {
        if (c.name == read.name) c.default_value = read.default_value;
      }
    }
  }
}

SourceModel load_model(mysql::Connection& src, const std::string& database,
                       const ModelOptions& options, bool target_postgis) {
  schema::Catalog catalog = schema::build_catalog(database, mysql::read_catalog(src, database));
  read_binary_defaults(src, catalog, options);
  SourceModel m = map_model(std::move(catalog), options, target_postgis);
  if (m.catalog.tables.empty() && (!options.include.empty() || !options.exclude.empty())) {
    throw ConfigError("no table of " + database + " is selected by --include/--exclude");
  }
  for (size_t i = 0; i < m.catalog.tables.size(); ++i)
    check_misfits(src, m.catalog.tables[i], m.targets[i]);
  return m;
}

// Source names PostgreSQL got under another name, for the replica, verify and people.
void record_names(const SqlRunner& run, const std::string& database,
                  const typemap::IdentifierMap& names) {
  run("DELETE FROM my2pg.identifier_map WHERE source_database = $1", {database});
  for (const auto& e : names.changed()) {
    if (e.kind != "schema" && e.kind != "table" && e.kind != "column") continue;
    run("INSERT INTO my2pg.identifier_map (source_database, kind, source_table, source_name, "
        "target_name) VALUES ($1, $2, $3, $4, $5)",
        {database, e.kind, e.kind == "column" ? e.table : std::string(), e.source, e.target});
  }
}

void record_names(pg::Connection& tgt, const std::string& database,
                  const typemap::IdentifierMap& names) {
  record_names(
      [&](const std::string& sql, const std::vector<std::optional<std::string>>& params) {
        tgt.query(sql, params);
      },
      database, names);
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

namespace {

std::string position_key(const BinlogPosition& p) {
  return p.known() ? p.file + ":" + std::to_string(p.pos) : std::string();
}

std::optional<std::string> opt(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional(s);
}

// One chunk's copy, as recorded in my2pg.chunk_state.
struct ChunkRecord {
  bool copied = false;
  uint64_t rows = 0;  // written to the target
  uint64_t bytes = 0;
  verify::Digest digest;           // of the rows as sent
  verify::Digest rejected_digest;  // of the rows set aside, as read
  std::string position;            // file:pos of the snapshot it was copied from ("" when unknown)
};

// A table an interrupted run had planned in chunks but not finished.
struct PartialTable {
  ChunkPlan plan;
  std::vector<ChunkRecord> chunks;
};

// An unfinished copy of the same database into the same schema (killed, crashed): the tables it
// finished, which a new run keeps, and the chunks it committed of the others.
struct Resume {
  bool active = false;
  std::string position;                     // the earlier snapshot's, for messages
  std::map<std::string, TableReport> done;  // by source table
  std::map<std::string, PartialTable> partial;
  std::map<std::string, uint64_t> rejects;  // rows set aside so far, by source table
};

Resume find_resume(pg::Connection& tgt, const MigrateOptions& options, const std::string& db,
                   const std::string& schema, const std::string& fingerprint) {
  Resume resume;
  if (options.replace) return resume;
  const RowSet earlier = tgt.query(
      "SELECT target_schema, state, coalesce(binlog_file || ':' || binlog_pos, 'no binlog'), "
      "fingerprint FROM my2pg.snapshot WHERE source_database = $1",
      {db});
  if (earlier.rows.empty() || earlier.rows[0][1] != "copying" || earlier.rows[0][0] != schema)
    return resume;  // nothing to resume: prepare_target says what is in the way, if anything
  if (earlier.rows[0][3] != fingerprint) {
    throw TargetError(
        "an unfinished copy of source database '" + db + "' into schema '" + schema +
        "' was made with other options (--data-only, --mapping, --identifier-case, "
        "--include/--exclude) or before the source's tables changed, so it cannot be resumed; "
        "run again with those options, or pass --replace to start over");
  }
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
  const RowSet rejects = tgt.query(
      "SELECT source_table, count(*) FROM my2pg.rejects WHERE source_database = $1 "
      "GROUP BY source_table",
      {db});
  for (const auto& r : rejects.rows) {
    const std::string table = r.at(0).value_or("");
    resume.rejects[table] = std::stoull(r.at(1).value_or("0"));
    if (auto it = resume.done.find(table); it != resume.done.end()) {
      it->second.rejected = resume.rejects[table];
      it->second.rows += it->second.rejected;  // rows read, as a finished table reports them
    }
  }
  const RowSet chunks = tgt.query(
      "SELECT source_table, chunk_no, key_column, lower_bound, upper_bound, state, rows_copied, "
      "bytes_copied, digest, rejected_digest, binlog_file || ':' || binlog_pos "
      "FROM my2pg.chunk_state "
      "WHERE source_database = $1 ORDER BY source_table, chunk_no",
      {db});
  for (const auto& r : chunks.rows) {
    const std::string table = r.at(0).value_or("");
    if (resume.done.count(table) != 0) continue;
    PartialTable& p = resume.partial[table];
    p.plan.key_column = r.at(2).value_or("");
    for (const auto& bound : {r.at(3), r.at(4)}) {
      if (bound && !is_chunk_bound(*bound)) {
        throw TargetError("my2pg.chunk_state holds a chunk bound '" + *bound + "' for " + db + "." +
                          table + " that is not an integer; pass --replace to start over");
      }
    }
    p.plan.chunks.push_back({std::stoi(r.at(1).value_or("0")), r.at(3), r.at(4)});
    ChunkRecord c;
    c.copied = r.at(5) == "copied";
    if (c.copied) {
      c.rows = std::stoull(r.at(6).value_or("0"));
      c.bytes = std::stoull(r.at(7).value_or("0"));
      c.digest = verify::Digest::parse(r.at(8).value_or("")).value_or(verify::Digest{});
      c.rejected_digest = verify::Digest::parse(r.at(9).value_or("")).value_or(verify::Digest{});
      c.position = r.at(10).value_or("");
    }
    p.chunks.push_back(c);
  }
  return resume;
}

// A table being copied: its chunks, and what they have done so far.
struct TableJob {
  size_t index = 0;  // into the catalog's tables
  ChunkPlan plan;
  std::optional<size_t> key;  // the column the chunks range over
  std::vector<ChunkRecord> chunks;
  std::atomic<size_t> remaining{0};  // chunks not yet copied or checked
  std::atomic<uint64_t> rejects{0};  // rows set aside in the whole table
  std::atomic<bool> started{false};
  Clock::time_point started_at{};
  std::mutex mutex;  // guards chunks
};

struct ChunkJob {
  TableJob* table = nullptr;
  size_t chunk = 0;
  bool recheck = false;  // copied from an earlier snapshot: copy again only if it changed
};

// What every worker needs to know.
struct CopyContext {
  const std::string& database;
  const BinlogPosition& position;
  const std::vector<schema::Table>& tables;
  const std::vector<typemap::TargetTable>& targets;
  const MigrateOptions& options;
  uint64_t max_row_bytes = 0;
  const std::atomic<bool>* stop = nullptr;  // another worker failed
};

void record_chunk(pg::Connection& tgt, const CopyContext& ctx, const TableJob& job, size_t c,
                  const ChunkRecord& r) {
  const auto& p = ctx.position;
  tgt.query(
      "UPDATE my2pg.chunk_state SET state = 'copied', rows_copied = $4, bytes_copied = $5, "
      "digest = $6, rejected_digest = $7, binlog_file = $8, binlog_pos = $9, gtid_set = $10, "
      "copied_at = now() WHERE source_database = $1 AND source_table = $2 AND chunk_no = $3",
      {ctx.database, ctx.tables[job.index].name, std::to_string(job.plan.chunks[c].no),
       std::to_string(r.rows), std::to_string(r.bytes), r.digest.text(), r.rejected_digest.text(),
       opt(p.file), p.known() ? std::optional(std::to_string(p.pos)) : std::nullopt,
       opt(p.gtid_set)});
}

// Copies one chunk in one target transaction with its rejects and its control row. A chunk an
// earlier snapshot copied is first digested at this one: unchanged, it stays; changed, its rows
// are replaced.
void copy_chunk(mysql::Connection& src, pg::Connection& tgt, const CopyContext& ctx,
                const ChunkJob& work, std::atomic<uint64_t>* rows_read, bool triggers_off) {
  TableJob& job = *work.table;
  const size_t c = work.chunk;
  const schema::Table& table = ctx.tables[job.index];
  const typemap::TargetTable& target = ctx.targets[job.index];
  const Chunk& chunk = job.plan.chunks[c];
  const std::string where = source_condition(job.plan, chunk);
  ChunkRecord record;
  record.copied = true;
  record.position = position_key(ctx.position);
  if (work.recheck) {
    ChunkRecord earlier;
    {
      const std::lock_guard<std::mutex> lock(job.mutex);
      earlier = job.chunks[c];
    }
    const SourceDigests now = source_digest(src, table, target, where);
    record.digest = now.sent;
    record.rejected_digest = now.rejected;
    if (now.sent == earlier.digest && now.rejected == earlier.rejected_digest) {
      record.rows = earlier.rows;
      record.bytes = earlier.bytes;
      record_chunk(tgt, ctx, job, c, record);
      if (rows_read != nullptr) rows_read->fetch_add(record.rows, std::memory_order_relaxed);
      const std::lock_guard<std::mutex> lock(job.mutex);
      job.chunks[c] = record;
      return;
    }
    spdlog::info("{}: chunk {} changed since the earlier snapshot; copying it again",
                 table.qualified_name(), chunk.no);
  }
  if (work.recheck && ctx.options.data_only && !triggers_off) {
    throw TargetError("--data-only: chunk " + std::to_string(chunk.no) + " of " +
                      table.qualified_name() +
                      " changed since the earlier snapshot and its rows must be deleted and "
                      "copied again, which would fire triggers and foreign-key actions without "
                      "session_replication_role = replica; run as a role that may set it, or "
                      "pass --replace to copy afresh");
  }
  pg::Transaction tx(tgt);
  if (work.recheck) {
    const std::string cond =
        job.key ? target_condition(job.plan, target.columns[*job.key].name, chunk) : "";
    tgt.execute("DELETE FROM " + qualified_name(target) + (cond.empty() ? "" : " WHERE " + cond));
    const RowSet dropped = tgt.query(
        "DELETE FROM my2pg.rejects WHERE source_database = $1 AND source_table = $2 AND "
        "chunk_no = $3 RETURNING 1",
        {ctx.database, table.name, std::to_string(chunk.no)});
    job.rejects -= dropped.rows.size();  // counted again as the chunk is copied
  }
  CopySpec spec;
  spec.where = where;
  spec.on_error = ctx.options.skip_bad_rows ? OnError::skip_row : OnError::stop;
  spec.rows_read = rows_read;
  spec.max_row_bytes = ctx.max_row_bytes;
  spec.table_rejects = &job.rejects;
  spec.stop = ctx.stop;
  const CopyResult copied = copy_table(src, tgt, table, target, spec);
  for (const RejectedRow& r : copied.rejected) {
    tgt.query(
        "INSERT INTO my2pg.rejects (source_database, source_table, row_key, column_name, "
        "value_excerpt, reason, chunk_no) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {ctx.database, table.name, r.key, r.column, r.value, r.reason, std::to_string(chunk.no)});
  }
  if (!copied.rejected.empty()) {
    spdlog::warn("{}: {} row(s) set aside in my2pg.rejects, the first at {} (column {}: {})",
                 table.qualified_name(), copied.rejected.size(), copied.rejected[0].key,
                 copied.rejected[0].column, copied.rejected[0].reason);
  }
  record.rows = copied.rows - copied.rejected.size();
  record.bytes = copied.bytes;
  record.digest = copied.digest;
  record.rejected_digest = copied.rejected_digest;
  record_chunk(tgt, ctx, job, c, record);
  tx.commit();
  const std::lock_guard<std::mutex> lock(job.mutex);
  job.chunks[c] = record;
}

// The differences between the digests of the rows sent and of the rows the target holds, chunk
// by chunk, as "table key-range: what differs".
std::vector<std::string> compare_digests(pg::Connection& tgt, const TableJob& job,
                                         const typemap::TargetTable& target,
                                         uint64_t& target_rows) {
  std::optional<ChunkLocator> locate;
  if (job.key) locate.emplace(job.plan);
  const auto digests =
      target_digests(tgt, target, job.key, job.plan.chunks.size(),
                     [&](std::string_view key) { return locate ? (*locate)(key) : 0; });
  std::vector<std::string> found;
  target_rows = 0;
  for (size_t c = 0; c < digests.size(); ++c) {
    target_rows += digests[c].rows;
    const verify::Digest& sent = job.chunks[c].digest;
    if (digests[c] == sent) continue;
    std::string where = target.schema + "." + target.name;
    if (job.key) {
      where += " " + target_condition(job.plan, target.columns[*job.key].name, job.plan.chunks[c]);
    }
    found.push_back(where + ": " + std::to_string(sent.rows) + " rows sent, " +
                    std::to_string(digests[c].rows) + " rows on the target" +
                    (digests[c].rows == sent.rows ? ", their values differ" : ""));
  }
  return found;
}

// The last chunk of a table is in: with verification on, the target's rows are digested chunk
// by chunk and compared with the rows sent; then its primary key, its generators and its control
// row, all in one transaction. A table whose rows differ is not marked copied (a rerun verifies
// it again), and its differences go to `mismatches`.
TableReport finish_table(pg::Connection& tgt, const CopyContext& ctx, TableJob& job,
                         const SchemaPlan::TableDdl& ddl, std::vector<NotMigrated>& refused,
                         std::vector<std::string>& mismatches) {
  const schema::Table& table = ctx.tables[job.index];
  const typemap::TargetTable& target = ctx.targets[job.index];
  TableReport tr;
  tr.source_table = table.name;
  tr.target_table = target.schema + "." + target.name;
  for (const ChunkRecord& c : job.chunks) {
    tr.rows += c.rows;
    tr.bytes += c.bytes;
  }
  pg::Transaction tx(tgt);
  if (ctx.options.verify) {
    uint64_t target_rows = 0;
    const std::vector<std::string> found = compare_digests(tgt, job, target, target_rows);
    tr.target_rows = target_rows;
    if (!found.empty()) {
      mismatches.insert(mismatches.end(), found.begin(), found.end());
      spdlog::error("{}: the rows on the target differ from the rows sent in {} chunk(s)",
                    table.qualified_name(), found.size());
      return tr;  // rolled back: not marked copied
    }
  }
  apply_statements(tgt, ddl.primary_key, refused);  // none with --data-only
  sync_generators(tgt, table, target);
  tr.rejected = job.rejects.load();
  tr.rows += tr.rejected;
  const auto& p = ctx.position;
  tgt.query(
      "INSERT INTO my2pg.table_state (source_database, source_table, target_table, "
      "rows_copied, bytes_copied, state, binlog_file, binlog_pos, gtid_set) "
      "VALUES ($1, $2, $3, $4, $5, 'copied', $6, $7, $8)",
      {ctx.database, table.name, target.name, std::to_string(tr.rows - tr.rejected),
       std::to_string(tr.bytes), opt(p.file),
       p.known() ? std::optional(std::to_string(p.pos)) : std::nullopt, opt(p.gtid_set)});
  tx.commit();
  tr.seconds = seconds_since(job.started_at);
  spdlog::info("copied {}: {} rows, {} bytes in {} chunk(s), {:.2f} s", table.qualified_name(),
               tr.rows, tr.bytes, job.plan.chunks.size(), tr.seconds);
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

namespace {

// The columns of `t` on the target as PostgreSQL spells their types, by name.
std::map<std::string, std::string> column_types(pg::Connection& tgt, const std::string& table) {
  std::map<std::string, std::string> types;
  const RowSet r = tgt.query(
      "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
      "$1::regclass AND attnum > 0 AND NOT attisdropped",
      {table});
  for (const auto& row : r.rows) types[row.at(0).value_or("")] = row.at(1).value_or("");
  return types;
}

// --data-only writes the values the mapping makes (in binary form, for most types) into tables
// it did not create: every mapped column must be there with the type the mapping gives it
// (compared as PostgreSQL spells both, through a temporary table of the mapped types).
void check_column_types(pg::Connection& tgt, const std::vector<typemap::TargetTable>& tables) {
  pg::Transaction tx(tgt);  // rolled back: the probe tables vanish
  for (size_t i = 0; i < tables.size(); ++i) {
    const auto& t = tables[i];
    std::string probe = "my2pg_probe_" + std::to_string(i);
    std::string ddl = "CREATE TEMP TABLE " + probe + " (";
    for (size_t c = 0; c < t.columns.size(); ++c) {
      ddl.append(c == 0 ? "" : ", ").append(pg::quote_identifier(t.columns[c].name));
      ddl.append(" ").append(t.columns[c].type.sql);
    }
    tgt.execute(ddl + ")");
    const auto wanted = column_types(tgt, probe);
    const auto actual = column_types(tgt, qualified_name(t));
    for (const auto& c : t.columns) {
      const auto it = actual.find(c.name);
      const std::string where = "--data-only: column " + t.schema + "." + t.name + "." + c.name;
      if (it == actual.end()) {
        throw TargetError(where +
                          " does not exist on the target; create the tables with `my2pg schema` "
                          "and the same mapping options, or leave out --data-only");
      }
      if (it->second != wanted.at(c.name)) {
        throw TargetError(where + " is " + it->second +
                          " on the target, but the mapping makes it " + wanted.at(c.name) +
                          "; create the tables with `my2pg schema` and the same mapping options, "
                          "or give --mapping a rule for the column that matches the target");
      }
    }
  }
}

// --data-only: the tables must exist (created by `my2pg schema`, say) and be empty, or emptied
// with --replace; nothing else of the target is touched.
void prepare_data_only(pg::Connection& tgt, const MigrateOptions& options, const std::string& db,
                       const std::vector<typemap::TargetTable>& tables) {
  const RowSet earlier =
      tgt.query("SELECT target_schema FROM my2pg.snapshot WHERE source_database = $1", {db});
  if (!options.replace && !earlier.rows.empty()) {
    throw TargetError("source database '" + db + "' was already copied into schema '" +
                      earlier.rows[0][0].value_or("") +
                      "'; pass --replace to empty its tables and copy again");
  }
  std::vector<std::string> filled;
  for (const auto& t : tables) {
    const RowSet r = tgt.query("SELECT to_regclass($1) IS NOT NULL", {qualified_name(t)});
    if (r.rows.at(0).at(0) != "t") {
      throw TargetError("--data-only: table " + t.schema + "." + t.name +
                        " does not exist on the target; create the tables first with `my2pg "
                        "schema` (with the same --mapping and --target-schema), or leave out "
                        "--data-only");
    }
    if (tgt.query("SELECT EXISTS (SELECT 1 FROM " + qualified_name(t) + ")").rows.at(0).at(0) ==
        "t") {
      filled.push_back(qualified_name(t));
    }
  }
  check_column_types(tgt, tables);
  if (!filled.empty() && !options.replace) {
    const std::string more =
        filled.size() > 1 ? " and " + std::to_string(filled.size() - 1) + " more" : "";
    throw TargetError("--data-only: target table " + filled.front() + more +
                      " already holds rows; pass --replace to empty it (TRUNCATE) first");
  }
  pg::Transaction tx(tgt);
  if (!filled.empty()) {  // all of them in one statement, so that references among them pass
    std::string list;
    for (const auto& t : tables) list.append(list.empty() ? "" : ", ").append(qualified_name(t));
    tgt.execute("TRUNCATE " + list);
  }
  forget_copy(tgt, db);
  tx.commit();
}

// Triggers and foreign-key checks off for this session's load (--data-only): needs a superuser
// (or, from PostgreSQL 15, SET privilege on the parameter); without, says so and loads anyway.
bool load_without_triggers(pg::Connection& tgt) {
  try {
    tgt.execute("SET session_replication_role = replica");
    return true;
  } catch (const TargetError& e) {
    spdlog::warn(
        "--data-only: could not turn triggers and foreign-key checks off during the load ({}); "
        "they stay on, so triggers fire and referenced rows must already be there",
        e.what());
    return false;
  }
}

// Index builds run side by side, each on its own connection and in its own transaction.
void build_indexes(const MigrateOptions& options, pg::Connection& tgt,
                   const std::vector<Statement>& indexes, std::vector<NotMigrated>& refused) {
  const unsigned workers = std::min<unsigned>(options.jobs, static_cast<unsigned>(indexes.size()));
  if (workers <= 1) {
    for (const auto& index : indexes) {
      pg::Transaction tx(tgt);
      apply_statements(tgt, {index}, refused);
      tx.commit();
    }
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::exception_ptr error;
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      try {
        pg::Connection conn(options.target_uri);
        std::vector<NotMigrated> mine;
        for (size_t n = next++; n < indexes.size() && !failed; n = next++) {
          pg::Transaction tx(conn);
          apply_statements(conn, {indexes[n]}, mine);
          tx.commit();
        }
        const std::lock_guard<std::mutex> lock(mutex);
        refused.insert(refused.end(), mine.begin(), mine.end());
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

// What a resumed copy must share with the run it resumes: the mode, and every table's target
// columns (names, types and value policies, which the mapping options and the source's schema
// decide) and key.
std::string fingerprint_of(const MigrateOptions& options,
                           const std::vector<typemap::TargetTable>& targets) {
  std::string text = options.data_only ? "data-only\n" : "full\n";
  for (const auto& t : targets) {
    text.append(t.schema).append(".").append(t.name).append(":");
    for (const auto& c : t.columns) {
      const auto& p = c.codec.policy;
      text.append(c.name).append(" ").append(c.type.sql);
      text.append(fmt::format(" {}/{}/{}/{},", static_cast<int>(c.codec.kind),
                              static_cast<int>(p.zero_dates), static_cast<int>(p.nul_bytes),
                              static_cast<int>(p.invalid_text)));
    }
    text.append(" key");
    for (const auto& k : t.primary_key) text.append(" ").append(k);
    text.append("\n");
  }
  return verify::Digest{targets.size(), verify::hash_bytes(text), verify::hash_bytes(text, 1)}
      .text();
}

}  // namespace

MigrateReport run_migrate(const MigrateOptions& options) {
  const auto started = Clock::now();
  const mysql::Endpoint endpoint = source_endpoint(options.source_uri);
  MigrateReport report;
  report.source_database = endpoint.database;
  if (options.schema_only && options.data_only) {
    throw ConfigError("--schema-only and --data-only exclude each other; pass one of them");
  }
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
  // Each worker holds about a row read, its COPY text and a send buffer: the largest row it may
  // take is a quarter of its share of the limit.
  constexpr uint64_t kMinMemory = uint64_t{16} << 20;
  if (options.memory_limit < kMinMemory * options.jobs) {
    throw ConfigError("--memory-limit " + std::to_string(options.memory_limit >> 20) +
                      " MiB is too small for " + std::to_string(options.jobs) +
                      " job(s); give at least 16 MiB per job");
  }
  const uint64_t max_row_bytes = options.memory_limit / options.jobs / 4;
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
  if (report.position.known()) {  // replication is to continue from here: can it?
    for (const auto& p : replica::check_replication_settings(src)) {
      report.replication_problems.push_back(replica::describe({p}));
      spdlog::warn("replication could not continue this copy: {}",
                   report.replication_problems.back());
    }
  }

  pg::Connection tgt(options.target_uri);
  spdlog::info("target {}", tgt.display());
  if (src.flavor() == mysql::Flavor::mysql) {
    // MySQL 8 caches table statistics for a day by default; chunk plans need current estimates.
    try {
      src.execute("SET SESSION information_schema_stats_expiry = 0");
    } catch (const SourceError&) {  // MySQL 5.7 has no cache
    }
  }
  SourceModel model = load_model(src, endpoint.database, options.model, has_postgis(tgt));
  report.target_schema = model.names.schema(endpoint.database);
  const auto& tables = model.catalog.tables;
  const auto& targets = model.targets;
  SchemaPlan plan = model.plan;
  if (options.data_only) {  // the schema is there already: no DDL at all
    plan.pre_data.clear();
    for (auto& t : plan.tables) t = {};
    plan.indexes.clear();
    plan.foreign_keys.clear();
    plan.checks.clear();
    plan.triggers.clear();
  }
  spdlog::info("{} tables to copy from {}", tables.size(), endpoint.database);

  control::migrate_control_schema(tgt);
  const std::string fingerprint = fingerprint_of(options, model.targets);
  Resume resume = find_resume(tgt, options, endpoint.database, report.target_schema, fingerprint);
  if (resume.active) {
    spdlog::warn(
        "resuming the unfinished copy of {} into schema {}: {} of {} tables were finished and {} "
        "more begun from the snapshot at {}; the rest is copied from this one, chunks begun "
        "earlier are checked against it, and each table's position is in my2pg.table_state",
        endpoint.database, report.target_schema, resume.done.size(), tables.size(),
        resume.partial.size(), resume.position);
    // Types the earlier run created stay; the statements creating them are not run again.
    for (const auto& type : plan.types) {
      if (tgt.query("SELECT to_regtype($1) IS NOT NULL", {type}).rows.at(0).at(0) != "t") continue;
      std::erase_if(plan.pre_data, [&](const Statement& s) { return s.creates_type == type; });
    }
  } else if (options.data_only) {
    prepare_data_only(tgt, options, endpoint.database, targets);
  } else {
    prepare_target(tgt, options, endpoint.database, report.target_schema, targets, plan.types);
  }
  if (!resume.active) {
    const auto& p = report.position;
    tgt.query(
        "INSERT INTO my2pg.snapshot (source_database, target_schema, source_server, "
        "source_flavor, source_version, binlog_file, binlog_pos, gtid_set, state, fingerprint) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'copying', $9)",
        {endpoint.database, report.target_schema, server_of(endpoint),
         src.flavor() == mysql::Flavor::mariadb ? "mariadb" : "mysql", src.server_version(),
         opt(p.file), p.known() ? std::optional(std::to_string(p.pos)) : std::nullopt,
         opt(p.gtid_set), fingerprint});
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

  // Every table to copy gets its chunk plan (or the one of the interrupted run), created in one
  // committed transaction with the schema before any worker starts: names PostgreSQL picks by
  // itself (array types, say) would otherwise clash between workers' uncommitted transactions.
  const std::string here = position_key(report.position);
  std::vector<std::unique_ptr<TableJob>> jobs;
  std::vector<ChunkJob> work;
  {
    pg::Transaction tx(tgt);
    apply_statements(tgt, plan.pre_data, plan.not_migrated);
    record_names(tgt, endpoint.database, model.names);
    for (const size_t i : order) {
      auto job = std::make_unique<TableJob>();
      job->index = i;
      if (auto it = resume.partial.find(tables[i].name); it != resume.partial.end()) {
        job->plan = std::move(it->second.plan);
        job->chunks = std::move(it->second.chunks);
        for (size_t c = 0; c < tables[i].columns.size(); ++c) {
          if (!job->plan.key_column.empty() && tables[i].columns[c].name == job->plan.key_column)
            job->key = c;
        }
        if (auto r = resume.rejects.find(tables[i].name); r != resume.rejects.end())
          job->rejects = r->second;
      } else {
        apply_statements(tgt, plan.tables[i].create, plan.not_migrated);
        job->plan = plan_chunks(src, tables[i], targets[i], options.chunk_rows);
        if (!job->plan.key_column.empty()) job->key = chunk_key_column(tables[i], targets[i]);
        job->chunks.resize(job->plan.chunks.size());
        for (const Chunk& c : job->plan.chunks) {
          tgt.query(
              "INSERT INTO my2pg.chunk_state (source_database, source_table, chunk_no, "
              "key_column, lower_bound, upper_bound, state) "
              "VALUES ($1, $2, $3, $4, $5, $6, 'pending')",
              {endpoint.database, tables[i].name, std::to_string(c.no), opt(job->plan.key_column),
               c.lower, c.upper});
        }
      }
      for (size_t c = 0; c < job->chunks.size(); ++c) {
        const ChunkRecord& r = job->chunks[c];
        if (r.copied && !here.empty() && r.position == here) {
          ++report.chunks_resumed;
          continue;
        }
        if (r.copied) {
          ++report.chunks_resumed;
        } else {
          ++report.chunks;
        }
        work.push_back({job.get(), c, r.copied});
        ++job->remaining;
      }
      jobs.push_back(std::move(job));
    }
    tx.commit();
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
    for (const auto& job : jobs) {
      for (const auto& c : job->chunks) {
        if (c.copied && c.position == here && !here.empty())
          options.progress->counter(job->index) += c.rows;
      }
    }
  }

  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  const CopyContext ctx{endpoint.database, report.position, tables, targets,
                        options,           max_row_bytes,   &stop};
  std::mutex mutex;  // guards error and mismatches
  std::exception_ptr error;
  std::vector<std::string> mismatches;
  // Tables whose chunks were all kept are finished by the first worker.
  std::vector<TableJob*> finish_first;
  for (const auto& job : jobs) {
    if (job->remaining == 0) finish_first.push_back(job.get());
  }
  auto finish = [&](pg::Connection& target, TableJob& job, std::vector<NotMigrated>& refused) {
    std::vector<std::string> found;
    report.tables[job.index] =
        finish_table(target, ctx, job, plan.tables[job.index], refused, found);
    if (options.progress != nullptr)
      options.progress->set_state(job.index, CopyProgress::State::done);
    const std::lock_guard<std::mutex> lock(mutex);
    mismatches.insert(mismatches.end(), found.begin(), found.end());
  };
  auto run = [&](mysql::Connection& source, pg::Connection& target,
                 std::vector<NotMigrated>& refused, bool first) {
    try {
      // DATETIME values mapped to timestamptz are read as UTC, as TIMESTAMP values are.
      target.execute("SET TimeZone = 'UTC'");
      const bool triggers_off = options.data_only && load_without_triggers(target);
      if (first) {
        for (TableJob* job : finish_first) {
          job->started_at = Clock::now();
          finish(target, *job, refused);
        }
      }
      while (!stop) {
        const size_t n = next++;
        if (n >= work.size()) break;
        TableJob& job = *work[n].table;
        if (!job.started.exchange(true)) {
          job.started_at = Clock::now();
          if (options.progress != nullptr)
            options.progress->set_state(job.index, CopyProgress::State::copying);
        }
        copy_chunk(source, target, ctx, work[n],
                   options.progress != nullptr ? &options.progress->counter(job.index) : nullptr,
                   triggers_off);
        if (--job.remaining == 0) finish(target, job, refused);
      }
      if (triggers_off) target.execute("RESET session_replication_role");
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
      stop = true;
    }
  };
  std::vector<std::vector<NotMigrated>> refused(options.jobs);
  if (options.jobs == 1) {
    run(src, tgt, refused[0], true);
  } else {
    std::vector<std::thread> threads;
    for (unsigned j = 0; j < options.jobs; ++j) {
      threads.emplace_back([&, j] {
        std::unique_ptr<pg::Connection> target;
        try {
          target = std::make_unique<pg::Connection>(options.target_uri);
        } catch (...) {
          const std::lock_guard<std::mutex> lock(mutex);
          if (!error) error = std::current_exception();
          stop = true;
          return;
        }
        run(*snapshot_conns[j], *target, refused[j], j == 0);
      });
    }
    for (auto& t : threads) t.join();
  }
  if (error) {  // the chunks committed so far stay
    size_t committed = 0;
    for (const auto& job : jobs) {
      for (const auto& c : job->chunks) committed += c.copied ? 1 : 0;
    }
    for (const auto& m : mismatches) spdlog::error("verification: {}", m);
    spdlog::error(
        "the copy stopped; the {} chunk(s) committed stay on the target, and running the same "
        "command again resumes from them (--replace starts over)",
        committed);
    std::rethrow_exception(error);
  }
  if (!mismatches.empty()) {
    std::sort(mismatches.begin(), mismatches.end());
    std::string list;
    for (const auto& m : mismatches) list += "\n  " + m;
    throw MismatchError(
        "verification failed: the rows on the target differ from the rows copied at the "
        "snapshot in " +
        std::to_string(mismatches.size()) + " key range(s):" + list +
        "\nthose tables are not marked copied (the same command checks them again); look for "
        "triggers or rules on the target that change rows, then run again, or with --replace "
        "to copy afresh");
  }
  for (auto& r : refused) plan.not_migrated.insert(plan.not_migrated.end(), r.begin(), r.end());
  {
    const auto started_post = Clock::now();
    build_indexes(options, tgt, plan.indexes, plan.not_migrated);
    pg::Transaction tx(tgt);
    apply_statements(tgt, plan.foreign_keys, plan.not_migrated);
    apply_statements(tgt, plan.checks, plan.not_migrated);
    apply_statements(tgt, plan.triggers, plan.not_migrated);
    // The definitions the copy was made with: a replica decodes and applies from them, and
    // follows the binary log's schema changes from there.
    for (const schema::Table& t : tables) {
      tgt.query(kSaveDefinitionSql,
                {endpoint.database, t.name, schema::create_table_statement(t, t.collation),
                 std::nullopt, std::nullopt});
    }
    tgt.query(
        "UPDATE my2pg.snapshot SET state = 'done', finished_at = now() WHERE source_database = $1",
        {endpoint.database});
    tx.commit();
    if (!options.data_only) {
      spdlog::info("{} indexes, {} foreign keys, {} checks, {} triggers built in {:.2f} s",
                   plan.indexes.size(), plan.foreign_keys.size(), plan.checks.size(),
                   plan.triggers.size(), seconds_since(started_post));
    }
  }
  for (const auto& n : plan.not_migrated) report.not_migrated.push_back(n.object + ": " + n.reason);
  std::set<std::string> earlier;
  for (const auto& [name, t] : resume.done) earlier.insert(name);
  report.resumed_tables = earlier.size();
  report.resumed_from = resume.position;
  if (options.verify) verify_counts(src, tables, report, earlier);
  src.execute("COMMIT");
  report.seconds = seconds_since(started);
  return report;
}

}  // namespace my2pg::snapshot
