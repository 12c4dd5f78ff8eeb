#pragma once
#include "cli/options.hpp"

namespace my2pg::cli {

// `my2pg migrate`: runs the copy and prints the summary table on stdout.
int run_migrate_command(const Options& options);

}  // namespace my2pg::cli
