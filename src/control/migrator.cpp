#include "control/migrator.hpp"

#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/resources.hpp"

namespace my2pg::control {
namespace {

struct Migration {
  int version;
  std::string name;
  std::string_view sql;
};

std::vector<Migration> embedded_migrations() {
  constexpr std::string_view kDir = "migrations/";
  std::vector<Migration> out;
  for (const auto& r : resources()) {
    if (!r.name.starts_with(kDir)) continue;
    const std::string_view file = r.name.substr(kDir.size());
    const size_t digits = file.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string_view::npos || file[digits] != '_') {
      throw Error("built-in migration '" + std::string(r.name) + "' is not named NNNN_name.sql");
    }
    out.push_back({std::stoi(std::string(file.substr(0, digits))), std::string(file), r.text});
  }
  return out;  // resources are sorted by name, so by version
}

int current_version(pg::Connection& conn) {
  const RowSet exists = conn.query("SELECT to_regclass('my2pg.schema_version') IS NOT NULL");
  if (exists.rows.at(0).at(0) != "t") return 0;
  const RowSet v = conn.query("SELECT coalesce(max(version), 0) FROM my2pg.schema_version");
  return std::stoi(*v.rows.at(0).at(0));
}

}  // namespace

MigrationResult migrate_control_schema(pg::Connection& conn) {
  const auto migrations = embedded_migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  MigrationResult result;
  pg::Transaction tx(conn);
  conn.execute("SELECT pg_advisory_xact_lock(hashtext('my2pg control schema'))");
  result.from_version = result.to_version = current_version(conn);
  if (result.from_version > latest) {
    throw TargetError("the target's my2pg control schema is at version " +
                      std::to_string(result.from_version) + ", newer than this my2pg knows (" +
                      std::to_string(latest) + "); use a newer my2pg with this target");
  }
  for (const auto& m : migrations) {
    if (m.version <= result.to_version) continue;
    conn.execute(m.sql);
    conn.query("INSERT INTO my2pg.schema_version (version, name) VALUES ($1, $2)",
               {std::to_string(m.version), m.name});
    spdlog::info("control schema: applied migration {}", m.name);
    result.to_version = m.version;
  }
  tx.commit();
  return result;
}

}  // namespace my2pg::control
