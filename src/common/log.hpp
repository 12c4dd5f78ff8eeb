#pragma once
#include <string_view>

namespace my2pg {

// Sets up the process-wide logger on stderr. `level` is one of trace, debug, info, warn, error,
// off; anything else throws ConfigError naming the accepted values.
void init_logging(std::string_view level);

}  // namespace my2pg
