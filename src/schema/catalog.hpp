#pragma once
// Builds the table model from the source's information_schema rows (read by mysql/catalog).
#include <vector>

#include "common/row_set.hpp"
#include "schema/table.hpp"

namespace my2pg::schema {

// Tables in name order, columns in ordinal order, from:
//   columns:      information_schema.COLUMNS of base tables, by table and position
//   primary_keys: TABLE_NAME, COLUMN_NAME of PRIMARY key parts, by table and sequence
//   json_checks:  TABLE_NAME, COLUMN_NAME of MariaDB columns checked with json_valid() (may be
//   empty) counters:     TABLE_NAME, AUTO_INCREMENT of information_schema.TABLES (may be empty)
std::vector<Table> build_tables(const std::string& database, const RowSet& columns,
                                const RowSet& primary_keys, const RowSet& json_checks,
                                const RowSet& counters);

}  // namespace my2pg::schema
