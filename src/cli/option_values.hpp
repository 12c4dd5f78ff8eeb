#pragma once
// Option values shared by the commands: lists, sizes, counts, seconds, the model options a copy
// is made with, and report files. Each throws ConfigError naming the option and the bad value.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "snapshot/migrate.hpp"

namespace my2pg::cli {

// "a, b,c" as {"a", "b", "c"}; nothing when absent.
std::vector<std::string> split_list(const std::optional<std::string>& list);
// --target-schema, --mapping, --identifier-case, --include, --exclude.
snapshot::ModelOptions model_options(const Options& options);
void write_report_file(const std::string& text, const std::string& path);
uint64_t parse_chunk_rows(const std::string& text);
// "512M", "2G", "1048576".
uint64_t parse_size(const std::string& text, const char* option);
uint64_t parse_count(const std::string& text, const char* option, uint64_t low, uint64_t high);
// "2", "0.5", "2s".
double parse_seconds(const std::string& text, const char* option, double low, double high);

}  // namespace my2pg::cli
