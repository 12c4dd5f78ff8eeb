#include "snapshot/verify_job.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "common/pg_names.hpp"
#include "snapshot/chunks.hpp"
#include "snapshot/source_model.hpp"
#include "snapshot/source_snapshot.hpp"
#include "snapshot/table_copy.hpp"

namespace my2pg::snapshot {
namespace {

// The rows of one range that differ, by key, appended to `verdict` (up to `max` listed).
void compare_rows(const KeyedRows& source, const KeyedRows& target, size_t max,
                  TableVerdict& verdict) {
  auto note = [&](const char* kind, const std::string& key) {
    if (verdict.rows.size() < max) {
      verdict.rows.push_back({kind, key});
    } else {
      ++verdict.rows_not_listed;
    }
  };
  for (const auto& [key, hash] : source.hash_by_key) {
    const auto it = target.hash_by_key.find(key);
    if (it == target.hash_by_key.end()) {
      note("missing", key);
    } else if (it->second != hash) {
      note("different", key);
    }
  }
  for (const auto& [key, hash] : target.hash_by_key) {
    if (source.hash_by_key.count(key) == 0) note("extra", key);
  }
  // Repeated rows of tables without a key: the same row more often on one side.
  for (const auto& [key, n] : source.repeats) {
    const auto it = target.repeats.find(key);
    if (it == target.repeats.end() || it->second < n) note("missing", key);
  }
  for (const auto& [key, n] : target.repeats) {
    const auto it = source.repeats.find(key);
    if (it == source.repeats.end() || it->second < n) note("extra", key);
  }
}

TableVerdict verify_table(mysql::Connection& src, pg::Connection& tgt, const schema::Table& source,
                          const typemap::TargetTable& target, const VerifyOptions& options,
                          const std::string& target_snapshot) {
  TableVerdict v;
  v.source_table = source.name;
  v.target_table = target.schema + "." + target.name;
  if (tgt.query("SELECT to_regclass($1) IS NOT NULL", {qualified_name(target)}).rows.at(0).at(0) !=
      "t") {
    v.target_exists = false;
    return v;
  }
  const ChunkPlan plan = plan_chunks(src, source, target, options.chunk_rows);
  std::optional<size_t> key;
  if (!plan.key_column.empty()) key = chunk_key_column(source, target);
  std::optional<ChunkLocator> locate;
  if (key) locate.emplace(plan);
  v.chunks = plan.chunks.size();
  pg::Transaction tx(tgt);  // one read of the target, and the digest output settings
  if (!target_snapshot.empty()) {
    // The target as of the source snapshot's position, exported by the replica's hold.
    tgt.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    tgt.execute("SET TRANSACTION SNAPSHOT " + pg::quote_literal(target_snapshot));
  }
  const std::vector<verify::Digest> stored =
      target_digests(tgt, target, key, plan.chunks.size(),
                     [&](std::string_view k) { return locate ? (*locate)(k) : 0; });
  for (size_t c = 0; c < plan.chunks.size(); ++c) {
    const std::string where = source_condition(plan, plan.chunks[c]);
    const SourceDigests sent = source_digest(src, source, target, where);
    v.source_rows += sent.sent.rows + sent.rejected.rows;
    v.target_rows += stored[c].rows;
    v.unstorable += sent.rejected.rows;
    if (sent.sent == stored[c]) continue;
    const std::string target_where =
        key ? target_condition(plan, target.columns[*key].name, plan.chunks[c]) : std::string();
    v.ranges.push_back(target_where.empty() ? std::string("the whole table") : target_where);
    compare_rows(source_rows_by_key(src, source, target, where),
                 target_rows_by_key(tgt, target, target_where), options.max_rows_listed, v);
  }
  tx.commit();
  return v;
}

}  // namespace

VerifyReport run_verify(const VerifyOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const mysql::Endpoint endpoint = source_endpoint(options.source_uri);
  mysql::Connection src(endpoint);
  VerifyReport report;
  report.source_database = endpoint.database;
  if (options.align != nullptr) options.align->before();
  report.position = start_consistent_snapshot(src);
  const std::string target_snapshot =
      options.align != nullptr ? options.align->at(report.position) : std::string();
  report.aligned = !target_snapshot.empty();
  pg::Connection tgt(options.target_uri);
  SourceModel model = load_model(src, endpoint.database, options.model, has_postgis(tgt));
  report.target_schema = model.names.schema(endpoint.database);
  for (size_t i = 0; i < model.catalog.tables.size(); ++i) {
    report.tables.push_back(verify_table(src, tgt, model.catalog.tables[i], model.targets[i],
                                         options, target_snapshot));
    const TableVerdict& v = report.tables.back();
    spdlog::info("{}: {}", model.catalog.tables[i].qualified_name(),
                 v.equal() ? "equal" : "DIFFERENT");
  }
  src.execute("COMMIT");
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace my2pg::snapshot
