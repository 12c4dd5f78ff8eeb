#pragma once
// Catalog reads: the information_schema queries behind the table model.
#include <string>

#include "common/catalog_rows.hpp"
#include "mysql/connection.hpp"

namespace my2pg::mysql {

// Rows describing `database`: its base tables with their columns, keys, indexes, foreign keys and
// checks, and the views, triggers, routines and events that are listed but not copied. Works on
// MySQL 5.7-9.x and MariaDB 10.x-11.x (columns a server lacks are read as NULL).
CatalogRows read_catalog(Connection& conn, const std::string& database);

}  // namespace my2pg::mysql
