#pragma once
#include "cli/options.hpp"

namespace my2pg::cli {

// `my2pg binlog dump FILE... | --source URI`: decode and print binlog events.
int run_binlog_command(const Options& options);

}  // namespace my2pg::cli
