#pragma once
#include <string>

namespace my2pg {

std::string version();  // e.g. "0.1.0"

}  // namespace my2pg
