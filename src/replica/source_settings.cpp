#include "replica/source_settings.hpp"

#include "common/sql_text.hpp"

namespace my2pg::replica {
namespace {

struct Requirement {
  const char* variable;
  const char* wanted;
  const char* fix;
};

// The same settings scripts/sandbox starts MariaDB with, and how to get each on a running server
// (and in the configuration file, so that a restart keeps it).
constexpr Requirement kRequired[] = {
    {"log_bin", "ON",
     "start the server with log_bin (log-bin = mysql-bin in the [mysqld] section): binary "
     "logging cannot be turned on at run time"},
    {"binlog_format", "ROW",
     "SET GLOBAL binlog_format = 'ROW' and binlog_format = ROW in the configuration file; "
     "sessions already open keep their format until they reconnect"},
    {"binlog_row_image", "FULL",
     "SET GLOBAL binlog_row_image = 'FULL' and binlog_row_image = FULL in the configuration "
     "file"},
    {"binlog_row_metadata", "FULL",
     "SET GLOBAL binlog_row_metadata = 'FULL' and binlog_row_metadata = FULL in the "
     "configuration file (MySQL 8.0.1 and MariaDB 10.5 and later have it)"},
};

}  // namespace

std::vector<SettingProblem> replication_setting_problems(
    const std::map<std::string, std::string>& variables) {
  std::vector<SettingProblem> problems;
  for (const Requirement& r : kRequired) {
    const auto it = variables.find(r.variable);
    const std::string value = it == variables.end() ? std::string() : it->second;
    std::string upper = value;
    for (char& c : upper) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
    const bool on_alias = std::string(r.wanted) == "ON" && upper == "1";
    if (upper != r.wanted && !on_alias) problems.push_back({r.variable, value, r.wanted, r.fix});
  }
  return problems;
}

std::vector<SettingProblem> check_replication_settings(mysql::Connection& conn) {
  std::map<std::string, std::string> variables;
  const RowSet rows = conn.query(
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', "
      "'binlog_row_image', 'binlog_row_metadata')");
  for (const auto& row : rows.rows) {
    variables[ascii_lower(row.at(0).value_or(""))] = row.at(1).value_or("");
  }
  return replication_setting_problems(variables);
}

std::string describe(const std::vector<SettingProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    out.append(out.empty() ? "" : "\n").append(p.variable).append(" is ");
    out.append(p.value.empty() ? std::string("missing") : p.value).append(", needs ");
    out.append(p.wanted).append(": ").append(p.fix);
  }
  return out;
}

}  // namespace my2pg::replica
