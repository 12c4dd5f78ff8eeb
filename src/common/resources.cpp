#include "common/resources.hpp"

#include <string>

#include "common/error.hpp"

namespace my2pg {

std::string_view resource(std::string_view name) {
  for (const auto& r : resources()) {
    if (r.name == name) return r.text;
  }
  throw Error("built-in resource '" + std::string(name) + "' is missing from this build");
}

}  // namespace my2pg
