#pragma once
// Text files compiled into the binary (migrations/*.sql, schema-mapping/default.yaml).
#include <span>
#include <string_view>

namespace my2pg {

struct Resource {
  std::string_view name;  // path relative to the source tree, e.g. "migrations/0001_control.sql"
  std::string_view text;
};

std::span<const Resource> resources();  // sorted by name; generated at build time

// The resource with this exact name; throws Error when it was not compiled in.
std::string_view resource(std::string_view name);

}  // namespace my2pg
