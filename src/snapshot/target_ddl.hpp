#pragma once
// PostgreSQL DDL for a mapped table, split so that keys are built after the data is loaded.
#include <string>
#include <vector>

#include "typemap/target_table.hpp"

namespace my2pg::snapshot {

std::string qualified_name(const typemap::TargetTable& t);    // "schema"."table", quoted
std::string create_table_sql(const typemap::TargetTable& t);  // table, generators; no keys
std::string primary_key_sql(const typemap::TargetTable& t);   // empty without a primary key

}  // namespace my2pg::snapshot
