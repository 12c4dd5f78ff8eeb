#pragma once
// Catalog reads: the information_schema queries behind the table model.
#include <string>

#include "mysql/connection.hpp"

namespace my2pg::mysql {

struct CatalogRows {
  RowSet columns;       // information_schema.COLUMNS of base tables
  RowSet primary_keys;  // TABLE_NAME, COLUMN_NAME of PRIMARY key parts
  RowSet json_checks;   // MariaDB only: TABLE_NAME, COLUMN_NAME of json_valid() checked columns
  RowSet counters;      // TABLE_NAME, AUTO_INCREMENT of base tables
};

// Rows describing every base table of `database` (views are not tables and are left out).
CatalogRows read_catalog(Connection& conn, const std::string& database);

}  // namespace my2pg::mysql
