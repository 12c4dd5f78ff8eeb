// PostgreSQL type names reduced to their base name and first typmod.
#include <catch2/catch.hpp>

#include "typemap/pg_type.hpp"

using my2pg::typemap::pg_base_type;

TEST_CASE("type names lose typmods, case, extra spaces and pg_catalog", "[pg_type]") {
  std::string_view typmod;
  CHECK(pg_base_type("Timestamp(6)  With\tTime Zone", &typmod) == "timestamp with time zone");
  CHECK(typmod == "6");
  typmod = {};
  CHECK(pg_base_type("numeric(20,0)", &typmod) == "numeric");
  CHECK(typmod == "20,0");
  typmod = {};
  CHECK(pg_base_type("pg_catalog.float(24)", &typmod) == "float");
  CHECK(typmod == "24");
  typmod = {};
  CHECK(pg_base_type(" text ", &typmod) == "text");
  CHECK(typmod.empty());
  CHECK(pg_base_type("interval day to second(3)") == "interval day to second");
  CHECK(pg_base_type("public.geometry") == "public.geometry");
  CHECK(pg_base_type("integer[]") == "integer[]");
}
