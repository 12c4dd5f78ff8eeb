#include "common/version.hpp"

namespace my2pg {

std::string version() {
  return MY2PG_VERSION;
}

}  // namespace my2pg
