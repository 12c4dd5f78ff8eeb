#pragma once
// What a source server must be set to for my2pg to follow its binary log: logging on, ROW
// format, full row images and full row metadata (ENUM/SET labels and character sets come from
// it). Checked before a copy that replication is to continue, and when replication starts.
#include <map>
#include <string>
#include <vector>

#include "mysql/connection.hpp"

namespace my2pg::replica {

struct SettingProblem {
  std::string variable;  // e.g. "binlog_format"
  std::string value;     // what the server has ("" when it lacks the variable)
  std::string wanted;    // e.g. "ROW"
  std::string fix;       // what to do, e.g. "SET GLOBAL binlog_format = 'ROW' ..."
};

// The problems in a server's global variables (names in lower case, as SHOW GLOBAL VARIABLES
// gives them). A variable the server does not have counts as wrong, since it means a server too
// old to log what replication needs.
std::vector<SettingProblem> replication_setting_problems(
    const std::map<std::string, std::string>& variables);

// Reads the variables from `conn` and evaluates them.
std::vector<SettingProblem> check_replication_settings(mysql::Connection& conn);

// "binlog_format is MIXED, needs ROW: SET GLOBAL ...", one problem per line.
std::string describe(const std::vector<SettingProblem>& problems);

}  // namespace my2pg::replica
