#include "cli/binlog_command.hpp"

#include <cstdio>
#include <memory>

#include "binlog/byte_reader.hpp"
#include "binlog/decoder.hpp"
#include "binlog/event_printer.hpp"
#include "binlog/file_source.hpp"
#include "common/error.hpp"
#include "mysql/binlog_stream.hpp"

namespace my2pg::cli {
namespace {

// Live events get their file and start position from the stream: ROTATE names the file, and each
// event's end position (log_pos) minus its size is its start.
class StreamSource : public binlog::EventSource {
 public:
  StreamSource(const mysql::Endpoint& ep, const mysql::StreamStart& start)
      : m_stream(ep, start), m_file(start.file), m_next(start.position) {}

  bool next(binlog::RawEvent& event) override {
    std::span<const uint8_t> bytes;
    if (!m_stream.next(bytes)) return false;
    if (bytes.size() < binlog::kHeaderLength)
      throw DecodeError("the server sent a truncated event");
    const auto type = static_cast<binlog::EventType>(bytes[4]);
    const uint32_t log_pos = binlog::ByteReader(bytes.subspan(13, 4)).u32("event end position");
    if (type == binlog::EventType::ROTATE_EVENT && bytes.size() >= binlog::kHeaderLength + 8) {
      const size_t crc = m_stream.checksum() == "CRC32" ? 4 : 0;
      const auto name =
          bytes.subspan(binlog::kHeaderLength + 8, bytes.size() - binlog::kHeaderLength - 8 - crc);
      m_file.assign(reinterpret_cast<const char*>(name.data()), name.size());
      m_next = 4;
    }
    event.bytes = bytes;
    event.file = m_file;
    event.position = log_pos != 0 && log_pos >= bytes.size() ? log_pos - bytes.size() : m_next;
    if (log_pos != 0) m_next = log_pos;
    return true;
  }
  binlog::ChecksumAlg checksum() const {
    return m_stream.checksum() == "CRC32" ? binlog::ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32
                                          : binlog::ChecksumAlg::BINLOG_CHECKSUM_ALG_OFF;
  }

 private:
  mysql::BinlogStream m_stream;
  std::string m_file;
  uint64_t m_next;
};

// "mariadb-bin.000002:1234" -> file and position.
void parse_start(const std::string& text, mysql::StreamStart& start) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw ConfigError("--start takes FILE:POSITION, e.g. --start mariadb-bin.000002:4 (got '" +
                      text + "')");
  }
  start.file = text.substr(0, colon);
  try {
    size_t used = 0;
    start.position = std::stoull(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw ConfigError("--start position '" + text.substr(colon + 1) + "' is not a number");
  }
  if (start.position < 4)
    throw ConfigError("--start position must be 4 or more (binlog files start at 4)");
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
    auto stream = std::make_unique<StreamSource>(mysql::Endpoint::parse(*uri), start);
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
