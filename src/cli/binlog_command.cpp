#include "cli/binlog_command.hpp"

#include <cstdio>
#include <memory>

#include "binlog/decoder.hpp"
#include "binlog/event_printer.hpp"
#include "binlog/file_source.hpp"
#include "common/error.hpp"
#include "common/position.hpp"
#include "replica/live_source.hpp"

namespace my2pg::cli {
namespace {

void parse_start(const std::string& text, mysql::StreamStart& start) {
  const BinlogPosition p = parse_file_position(text, "--start");
  start.file = p.file;
  start.position = p.pos;
}

}  // namespace

int run_binlog_command(const Options& options) {
  if (options.positionals.empty() || options.positionals.front() != "dump") {
    throw ConfigError(
        "usage: my2pg binlog dump FILE... | my2pg binlog dump --source URI [--start FILE:POS]");
  }
  const std::string format = options.get("format").value_or("text");
  if (format != "text" && format != "json")
    throw ConfigError("--format is text or json, not '" + format + "'");
  const std::vector<std::string> files(options.positionals.begin() + 1, options.positionals.end());

  std::unique_ptr<binlog::EventSource> source;
  binlog::Decoder decoder;
  if (!files.empty()) {
    auto file_source = std::make_unique<binlog::FileSource>(files, true);
    if (auto start = options.get("start")) {
      mysql::StreamStart s;
      parse_start(*start, s);
      file_source->start_at(s.position);
    }
    source = std::move(file_source);
  } else if (auto uri = options.get("source")) {
    mysql::StreamStart start;
    if (auto s = options.get("start")) parse_start(*s, start);
    if (auto g = options.get("start-gtid")) start.gtid = *g;
    start.stop_at_end = !options.flag("stop-never");
    auto stream = std::make_unique<replica::LiveSource>(mysql::Endpoint::parse(*uri), start);
    decoder.set_stream_checksum(stream->checksum());
    source = std::move(stream);
  } else {
    throw ConfigError("give binlog files to read, or --source URI to read from a server");
  }
  decoder.set_verify_checksums(!options.flag("no-verify-checksum"));

  std::string out;
  // Whatever was decoded before an error is printed before the error is reported.
  struct Flush {
    std::string& out;
    ~Flush() {
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fflush(stdout);
    }
  } flush{out};
  std::vector<binlog::Event> events;
  binlog::RawEvent raw;
  std::string file;
  while (source->next(raw)) {
    if (raw.file != file) {
      file = raw.file;
      decoder.set_file(file);
    }
    events.clear();
    decoder.decode(raw.bytes, raw.position, events);
    for (const auto& e : events) {
      if (format == "json") {
        binlog::print_json(e, decoder, file, out);
      } else {
        binlog::print_text(e, decoder, file, out);
      }
    }
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  return 0;
}

}  // namespace my2pg::cli
