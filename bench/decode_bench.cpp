// The binlog decoder alone: reads files, decodes every event (row values included) and reports
// events, row images, bytes, seconds, row images per second and MB per second on one line.
#include <chrono>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "binlog/decoder.hpp"
#include "binlog/file_source.hpp"
#include "common/error.hpp"

int main(int argc, char** argv) {
  using namespace my2pg::binlog;
  if (argc < 2) {
    std::fprintf(stderr, "usage: decode_bench BINLOG_FILE...\n");
    return 2;
  }
  try {
    const auto started = std::chrono::steady_clock::now();
    FileSource source(std::vector<std::string>(argv + 1, argv + argc), false);
    Decoder decoder;
    std::vector<Event> events;
    RawEvent raw;
    uint64_t n_events = 0, n_rows = 0, n_bytes = 0;
    while (source.next(raw)) {
      if (raw.file != decoder.file()) decoder.set_file(raw.file);
      events.clear();
      decoder.decode(raw.bytes, raw.position, events);
      n_bytes += raw.bytes.size();
      for (const auto& e : events) {
        ++n_events;
        if (const auto* rows = std::get_if<RowsEvent>(&e.body))
          n_rows += rows->before.size() + rows->after.size();
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf(
        "events=%llu row_images=%llu bytes=%llu seconds=%.3f row_images_per_s=%.0f mb_per_s=%.1f\n",
        static_cast<unsigned long long>(n_events), static_cast<unsigned long long>(n_rows),
        static_cast<unsigned long long>(n_bytes), seconds, static_cast<double>(n_rows) / seconds,
        static_cast<double>(n_bytes) / 1e6 / seconds);
  } catch (const my2pg::Error& e) {
    std::fprintf(stderr, "decode_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
