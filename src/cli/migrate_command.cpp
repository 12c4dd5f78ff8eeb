#include "cli/migrate_command.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "pg/connection.hpp"
#include "snapshot/migrate.hpp"

namespace my2pg::cli {
namespace {

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

void print_report(const snapshot::MigrateReport& r, const std::string& target) {
  fmt::print("\nmigrated {} -> {} (schema \"{}\")\n", r.source_database, target, r.target_schema);
  fmt::print("snapshot consistent with binlog position {}\n\n", r.position.display());
  fmt::print("{:<32} {:>12} {:>12} {:>9}  {}\n", "table", "rows", "bytes", "seconds", "verified");
  uint64_t rows = 0, bytes = 0;
  for (const auto& t : r.tables) {
    rows += t.rows;
    bytes += t.bytes;
    const std::string verified = !t.target_rows             ? "skipped"
                                 : *t.target_rows == t.rows ? "ok"
                                                            : "MISMATCH";
    fmt::print("{:<32} {:>12} {:>12} {:>9.2f}  {}\n", t.target_table, t.rows, human_bytes(t.bytes),
               t.seconds, verified);
  }
  fmt::print("\n{} tables, {} rows, {} in {:.2f} s; {}\n", r.tables.size(), rows,
             human_bytes(bytes), r.seconds,
             r.verified ? "row counts verified equal" : "not verified");
  if (!r.not_migrated.empty()) {
    fmt::print("\nnot migrated ({}):\n", r.not_migrated.size());
    for (const auto& n : r.not_migrated) fmt::print("  {}\n", n);
  }
  std::fflush(stdout);
}

}  // namespace

int run_migrate_command(const Options& options) {
  snapshot::MigrateOptions m;
  m.source_uri = options.require("source");
  m.target_uri = options.require("target");
  m.target_schema = options.get("target-schema").value_or("");
  m.replace = options.flag("replace");
  m.verify = !options.flag("no-verify");
  m.mapping_file = options.get("mapping").value_or("");
  m.identifier_case = options.get("identifier-case").value_or("");
  const auto report = snapshot::run_migrate(m);
  print_report(report, pg::describe_conninfo(m.target_uri));
  return 0;
}

int run_schema_command(const Options& options) {
  snapshot::SchemaOptions s;
  s.source_uri = options.require("source");
  s.dry_run = options.flag("dry-run");
  s.target_uri = s.dry_run ? options.get("target").value_or("") : options.require("target");
  s.target_schema = options.get("target-schema").value_or("");
  s.replace = options.flag("replace");
  s.mapping_file = options.get("mapping").value_or("");
  s.identifier_case = options.get("identifier-case").value_or("");
  const auto result = snapshot::run_schema(s);
  if (s.dry_run) {
    std::fputs(result.sql.c_str(), stdout);
    std::string commented = "\n";
    size_t start = 0;
    while (start < result.report.size()) {
      const size_t end = result.report.find('\n', start);
      commented.append("-- ").append(result.report.substr(start, end - start)).append("\n");
      start = end == std::string::npos ? result.report.size() : end + 1;
    }
    std::fputs(commented.c_str(), stdout);
  } else {
    fmt::print("schema created on {}\n\n{}", pg::describe_conninfo(s.target_uri), result.report);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace my2pg::cli
