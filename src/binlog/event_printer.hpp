#pragma once
// `my2pg binlog dump` output: readable text in the manner of `mysqlbinlog -v` (header fields,
// decoded status variables, row values with column names when known), or one JSON object per
// event with typed row values.
#include <string>

#include "binlog/decoder.hpp"

namespace my2pg::binlog {

// Appends `event` (decoded from `file`) to `out`. Row events are printed with the table map the
// decoder holds for their table id.
void print_text(const Event& event, const Decoder& decoder, const std::string& file,
                std::string& out);
void print_json(const Event& event, const Decoder& decoder, const std::string& file,
                std::string& out);

}  // namespace my2pg::binlog
