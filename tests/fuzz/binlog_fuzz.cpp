// libFuzzer target: the input is a binlog file. Every event is decoded and printed both ways;
// a DecodeError is the expected outcome for broken input, anything else (a crash, a sanitizer
// report, a hang, a huge allocation) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "binlog/byte_reader.hpp"
#include "binlog/constants.hpp"
#include "binlog/decoder.hpp"
#include "binlog/event_printer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace my2pg::binlog;
  if (size < 4 || std::memcmp(data, kMagic, 4) != 0) return 0;
  Decoder decoder("fuzz.bin");
  std::vector<Event> events;
  std::string out;
  size_t pos = 4;
  try {
    while (pos + kHeaderLength <= size) {
      const uint32_t event_size =
          ByteReader(std::span<const uint8_t>(data + pos + 9, 4)).u32("size");
      if (event_size < kHeaderLength || event_size > size - pos) break;
      events.clear();
      decoder.decode(std::span<const uint8_t>(data + pos, event_size), pos, events);
      for (const auto& e : events) {
        out.clear();
        print_text(e, decoder, "fuzz.bin", out);
        print_json(e, decoder, "fuzz.bin", out);
      }
      pos += event_size;
    }
  } catch (const my2pg::DecodeError&) {
  }
  return 0;
}
