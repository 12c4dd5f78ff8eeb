// Every event of every binlog fixture (../shared/fixtures/binlog), truncated at every length and
// with random bits flipped, is fed to a decoder in the state the events before it leave (the
// FORMAT_DESCRIPTION and table maps in force). Each attempt must decode or throw DecodeError, and
// what decodes must print both ways or throw DecodeError, as `binlog dump` does: never crash (the
// ASan+UBSan build checks memory and undefined behaviour), hang or ask for a huge allocation.
//
// Truncations keep the event consistent around the cut so that it reaches the parsers: the
// header's event size is the truncated length and, in CRC32 files, a valid checksum follows the
// cut. Events inside a TRANSACTION_PAYLOAD are truncated and flipped too, re-wrapped in an
// uncompressed payload. Flips run with checksum verification off, so that they reach the parsers;
// a few run with it on and must be refused for their checksum.
#include <zlib.h>
#include <zstd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "binlog/byte_reader.hpp"
#include "binlog/crc32.hpp"
#include "binlog/decoder.hpp"
#include "binlog/event_printer.hpp"
#include "common/error.hpp"

#ifndef MY2PG_FIXTURES_DIR
#define MY2PG_FIXTURES_DIR ""
#endif

#if defined(__SANITIZE_ADDRESS__)
// From <sanitizer/allocator_interface.h>, which Debian's GCC does not ship: called on every
// allocation, so that the test sees the largest single request an attempt makes.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             size_t),
                                                         void (*free_hook)(const volatile void*));
#endif

namespace {

using namespace my2pg::binlog;
using my2pg::DecodeError;
namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// --- limits ------------------------------------------------------------------------------------

constexpr size_t kAllPrefixesUpTo = 2048;  // events up to this size: every truncation
constexpr size_t kAllPrefixesBelow = 512;  // bigger events: every truncation below this...
constexpr size_t kStridePoints = 500;      // ...and about this many more, evenly spaced
constexpr int kFlips = 20;                 // bit-flip attempts per event, checksums off
constexpr int kChecksumFlips = 3;          // and with checksums on (CRC32 files)
constexpr int kFullPerKind = 1;            // quick run: the first events of a kind: full plan,
constexpr int kLightPerKind = 20;          // the next ones: light plan (see Sampler)
constexpr size_t kHugeAllocation = size_t{256} << 20;
constexpr auto kSlowAttempt = std::chrono::seconds(2);

size_t g_largest_allocation = 0;

#if defined(__SANITIZE_ADDRESS__)
void note_allocation(const volatile void*, size_t size) {
  g_largest_allocation = std::max(g_largest_allocation, size);
}
void note_free(const volatile void*) {}
[[maybe_unused]] const bool g_hooks =
    (__sanitizer_install_malloc_and_free_hooks(note_allocation, note_free), true);
#endif

// --- fixture files and their events ------------------------------------------------------------

bool have_fixtures() {
  if (fs::is_directory(MY2PG_FIXTURES_DIR)) return true;
  WARN("binlog robustness tests skipped: ../shared is absent (" MY2PG_FIXTURES_DIR ")");
  return false;
}

Bytes read_file(const fs::path& path) {
  if (path.extension() == ".gz") {  // the Sakila binlog, unpacked in memory
    gzFile in = gzopen(path.c_str(), "rb");
    REQUIRE(in != nullptr);
    Bytes out;
    uint8_t buf[1 << 16];
    int n = 0;
    while ((n = gzread(in, buf, static_cast<unsigned>(sizeof buf))) > 0) {
      out.insert(out.end(), buf, buf + n);
    }
    gzclose(in);
    REQUIRE(n == 0);
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<fs::path> fixture_files() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(MY2PG_FIXTURES_DIR)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && ext != ".md" && ext != ".hex") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

void put_le32(uint8_t* p, size_t v) {
  for (size_t i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

struct RawEvent {
  size_t offset = 0;  // in the file
  Bytes bytes;
  EventType type() const { return static_cast<EventType>(bytes[4]); }
};

// The events as FileSource walks them: by event size, up to the first one that cannot be whole.
std::vector<RawEvent> split_events(const Bytes& file, size_t start) {
  std::vector<RawEvent> out;
  size_t pos = start;
  while (pos + kHeaderLength <= file.size()) {
    const uint32_t size = le32(&file[pos + 9]);
    if (size < kHeaderLength || size > file.size() - pos) break;
    out.push_back({pos, Bytes(file.begin() + static_cast<std::ptrdiff_t>(pos),
                              file.begin() + static_cast<std::ptrdiff_t>(pos + size))});
    pos += size;
  }
  return out;
}

// --- building the inputs -----------------------------------------------------------------------

// The first `length` bytes of `event`, with the event size set to `length` and, for CRC32, the
// checksum of what is left (once there is room for one).
Bytes truncated(const Bytes& event, size_t length, bool crc) {
  if (length < 13) return Bytes(event.begin(), event.begin() + static_cast<std::ptrdiff_t>(length));
  const bool with_crc = crc && length >= kHeaderLength + kChecksumLength;
  const size_t keep = with_crc ? length - kChecksumLength : length;
  Bytes out(event.begin(), event.begin() + static_cast<std::ptrdiff_t>(keep));
  put_le32(&out[9], length);
  if (with_crc) {
    out.resize(length);
    put_le32(&out[keep], crc32(std::span<const uint8_t>(out.data(), keep)));
  }
  return out;
}

void put_packed(Bytes& b, uint64_t v) {
  if (v < 251) {
    b.push_back(static_cast<uint8_t>(v));
    return;
  }
  const size_t n = v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 8;
  b.push_back(n == 2 ? 0xfc : n == 3 ? 0xfd : 0xfe);
  for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// A TRANSACTION_PAYLOAD_EVENT with the header of `original` holding `inner` uncompressed.
Bytes uncompressed_payload(const Bytes& original, const Bytes& inner, bool crc) {
  Bytes out(original.begin(), original.begin() + kHeaderLength);
  auto field = [&](uint8_t type, uint64_t value) {
    Bytes v;
    put_packed(v, value);
    put_packed(out, type);
    put_packed(out, v.size());
    out.insert(out.end(), v.begin(), v.end());
  };
  field(1, inner.size());
  field(2, 255);  // NONE
  field(3, inner.size());
  out.push_back(0);
  out.insert(out.end(), inner.begin(), inner.end());
  const size_t size = out.size() + (crc ? kChecksumLength : 0);
  put_le32(&out[9], size);
  if (crc) {
    const uint32_t sum = crc32(out);
    out.resize(size);
    put_le32(&out[size - kChecksumLength], sum);
  }
  return out;
}

// The zstd payload of a TRANSACTION_PAYLOAD_EVENT, decompressed; empty when it is not one.
Bytes decompressed_payload(const Bytes& event, bool crc) {
  ByteReader r(std::span<const uint8_t>(event).subspan(kHeaderLength));
  if (crc) r.shrink_limit(kChecksumLength, "checksum");
  uint64_t size = 0, compression = 0, uncompressed = 0;
  while (true) {
    const uint64_t type = r.packed("field type");
    if (type == 0) break;
    ByteReader value(r.bytes(r.length(r.packed("field length"), "field"), "field"));
    if (type == 1) size = value.packed("size");
    if (type == 2) compression = value.packed("compression");
    if (type == 3) uncompressed = value.packed("uncompressed size");
  }
  if (compression != 0) return {};
  const auto frame = r.bytes(r.length(size, "payload"), "payload");
  Bytes out(uncompressed);
  REQUIRE(ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size()) == out.size());
  return out;
}

std::vector<size_t> truncation_lengths(size_t n) {
  std::vector<size_t> out;
  const size_t all = n <= kAllPrefixesUpTo ? n : kAllPrefixesBelow;
  for (size_t len = 0; len < all; ++len) out.push_back(len);
  if (n > kAllPrefixesUpTo) {
    const size_t step = std::max<size_t>(1, (n - all) / kStridePoints);
    for (size_t len = all; len < n; len += step) out.push_back(len);
  }
  return out;
}

// --- running attempts --------------------------------------------------------------------------

struct Tally {
  size_t decoded = 0, rejected = 0;
};

struct Target {
  std::string file;
  const std::vector<RawEvent>* events = nullptr;
  std::vector<size_t> state;  // the FORMAT_DESCRIPTION and table maps in force, in file order
  size_t index = 0;           // the event under test
  const RawEvent& event() const { return (*events)[index]; }
};

// What an attempt did to the event, put into words only when it fails.
struct What {
  std::string kind;  // "truncated", "bits flipped, checksums off", "inner XID_EVENT truncated"...
  size_t length = 0;
  std::vector<std::pair<size_t, int>> flips;  // byte, bit
  std::string str() const {
    std::string out = kind;
    if (flips.empty()) return out + " to " + std::to_string(length) + " bytes";
    for (const auto& [byte, bit] : flips)
      out += " " + std::to_string(byte) + ":" + std::to_string(bit);
    return out;
  }
};

std::string context(const Target& t, const What& what) {
  return t.file + ", event at " + std::to_string(t.event().offset) + " (" +
         std::string(event_type_name(t.event().type())) + ", " +
         std::to_string(t.event().bytes.size()) + " bytes), " + what.str() + ": ";
}

// A decoder that has decoded what the target's events before it left behind.
Decoder primed(const Target& t, bool verify) {
  Decoder d(t.file);
  d.set_verify_checksums(verify);
  std::vector<Event> sink;
  for (const size_t i : t.state) {
    const RawEvent& e = (*t.events)[i];
    sink.clear();
    try {
      d.decode(e.bytes, e.offset, sink);
    } catch (const DecodeError&) {  // a broken file's own error: the state stays as it was
    }
  }
  return d;
}

// Decodes and prints `input`; anything but success or DecodeError fails the test. Returns the
// DecodeError's message, empty when it decoded.
std::string attempt(Decoder& decoder, const Target& t, std::span<const uint8_t> input,
                    const What& what, Tally& tally) {
  g_largest_allocation = 0;
  const auto start = std::chrono::steady_clock::now();
  std::string error;
  try {
    std::vector<Event> events;
    decoder.decode(input, t.event().offset, events);
    std::string out;
    for (const auto& e : events) {
      try {
        print_text(e, decoder, t.file, out);
        print_json(e, decoder, t.file, out);
      } catch (const DecodeError&) {
      }
      out.clear();
    }
    ++tally.decoded;
  } catch (const DecodeError& e) {
    error = e.what();
    if (error.empty()) error = "(an empty DecodeError)";
    ++tally.rejected;
  } catch (const std::exception& e) {
    FAIL_CHECK(context(t, what) << "threw " << e.what() << " instead of DecodeError");
  }
  const auto took = std::chrono::steady_clock::now() - start;
  if (took > kSlowAttempt) {
    FAIL_CHECK(context(t, what) << "took " << std::chrono::duration<double>(took).count() << " s");
  }
  if (g_largest_allocation > kHugeAllocation) {
    FAIL_CHECK(context(t, what) << "allocated " << g_largest_allocation << " bytes at once");
  }
  return error;
}

// An attempt whose input is an event of these kinds changes the decoder (a new FDE, the table maps
// of a payload) and gets a freshly primed decoder; all others share one. TABLE_MAPs may share:
// decoding one depends on the FDE alone, and it replaces only its own table's map.
bool needs_fresh_decoder(EventType original, std::span<const uint8_t> input) {
  auto changes = [](EventType t) {
    return t == EventType::FORMAT_DESCRIPTION_EVENT || t == EventType::TRANSACTION_PAYLOAD_EVENT ||
           t == EventType::TABLE_MAP_EVENT;
  };
  const EventType now = input.size() > 4 ? static_cast<EventType>(input[4]) : original;
  if (original == EventType::TABLE_MAP_EVENT && now == original) return false;
  return changes(original) || changes(now);
}

struct Runner {
  const Target& t;
  bool verify;
  Tally& tally;
  Decoder shared;
  Runner(const Target& target, bool verify_checksums, Tally& tallies)
      : t(target),
        verify(verify_checksums),
        tally(tallies),
        shared(primed(target, verify_checksums)) {}
  std::string run(std::span<const uint8_t> input, const What& what) {
    if (!needs_fresh_decoder(t.event().type(), input))
      return attempt(shared, t, input, what, tally);
    Decoder fresh = primed(t, verify);
    return attempt(fresh, t, input, what, tally);
  }
};

// A random position that is not the event size, whose corruption the file reader would catch.
size_t flip_position(std::mt19937& rng, size_t n, bool keep_type) {
  while (true) {
    const size_t pos = std::uniform_int_distribution<size_t>(0, n - 1)(rng);
    if ((pos >= 9 && pos < 13) || (keep_type && pos == 4)) continue;
    return pos;
  }
}

// `in` with `bits` distinct bits flipped (recorded in `what`).
Bytes flipped(const Bytes& in, std::mt19937& rng, int bits, bool keep_type, What& what) {
  Bytes out = in;
  what.flips.clear();
  while (what.flips.size() < static_cast<size_t>(bits)) {
    const std::pair<size_t, int> flip{flip_position(rng, out.size(), keep_type),
                                      std::uniform_int_distribution<int>(0, 7)(rng)};
    if (std::find(what.flips.begin(), what.flips.end(), flip) != what.flips.end()) continue;
    what.flips.push_back(flip);
    out[flip.first] = static_cast<uint8_t>(out[flip.first] ^ (1 << flip.second));
  }
  return out;
}

// How thoroughly one event is tried.
struct Plan {
  std::vector<size_t> lengths;  // truncations
  int flips = kFlips;           // with checksums off
  int checksum_flips = kChecksumFlips;
};

// Every truncation (see the limits above) and every flip.
Plan full_plan(size_t n) {
  return {truncation_lengths(n), kFlips, kChecksumFlips};
}

// For an event like many before it: 16 truncations spread over it, 4 flips, 1 with checksums on.
Plan light_plan(size_t n) {
  std::vector<size_t> lengths;
  for (size_t k = 0; k < 16; ++k) lengths.push_back(n * k / 16);
  return {lengths, 4, 1};
}

void try_event(const Target& t, bool crc, const Plan& plan, std::mt19937& rng, Tally& tally) {
  const Bytes& event = t.event().bytes;
  const bool fde = t.event().type() == EventType::FORMAT_DESCRIPTION_EVENT;
  {
    Runner runner(t, true, tally);
    What what{"truncated", 0, {}};
    for (const size_t len : plan.lengths) {
      what.length = len;
      runner.run(truncated(event, len, crc && !fde), what);
    }
  }
  if (event.size() <= 13) return;
  {
    Runner off(t, false, tally);
    What what{"bits flipped, checksums off:", 0, {}};
    for (int i = 0; i < plan.flips; ++i)
      off.run(flipped(event, rng, i % 2 == 0 ? 1 : 1 + i % 4, false, what), what);
  }
  if (!crc || fde) return;
  Runner on(t, true, tally);
  What what{"bits flipped, checksums on:", 0, {}};
  for (int i = 0; i < plan.checksum_flips; ++i) {
    const std::string error = on.run(flipped(event, rng, 1 + i, true, what), what);
    if (error.find("checksum") == std::string::npos) {
      FAIL_CHECK(context(t, what) << "was not refused for its checksum: "
                                  << (error.empty() ? "it decoded" : error));
    }
  }
}

// The events inside a TRANSACTION_PAYLOAD, each truncated and flipped after the whole ones before
// it, in an uncompressed payload.
void try_payload_inner_events(const Target& t, bool crc, std::mt19937& rng, Tally& tally) {
  const Bytes inner = decompressed_payload(t.event().bytes, crc);
  Runner runner(t, true, tally);
  for (const auto& e : split_events(inner, 0)) {
    const Bytes before(inner.begin(), inner.begin() + static_cast<std::ptrdiff_t>(e.offset));
    auto wrapped = [&](const Bytes& last) {
      Bytes body = before;
      body.insert(body.end(), last.begin(), last.end());
      return uncompressed_payload(t.event().bytes, body, crc);
    };
    What what{"inner " + std::string(event_type_name(e.type())) + " truncated", 0, {}};
    for (const size_t len : truncation_lengths(e.bytes.size())) {
      what.length = len;
      runner.run(wrapped(truncated(e.bytes, len, false)), what);
    }
    What flip{"inner " + std::string(event_type_name(e.type())) + " bits flipped:", 0, {}};
    for (int i = 0; i < kFlips; ++i)
      runner.run(wrapped(flipped(e.bytes, rng, 1 + i % 4, false, flip)), flip);
  }
}

uint64_t table_id(const RawEvent& e) {
  if (e.bytes.size() < kHeaderLength + 6) return 0;
  return le32(&e.bytes[kHeaderLength]) | uint64_t{e.bytes[kHeaderLength + 4]} << 32 |
         uint64_t{e.bytes[kHeaderLength + 5]} << 40;
}

// The quick run gives the full plan to the first event of each kind in a file (kind: the event
// type, and the table id for table maps and rows), the light plan to the next 20 of the kind and
// to every 10th after them, and skips the others: the large statement logs and Sakila's 1374
// WRITE_ROWS repeat a few layouts many times. The exhaustive run gives every event the full plan.
enum class Depth { full, light, skip };

struct Sampler {
  bool exhaustive;
  std::map<std::pair<int, uint64_t>, int> seen;
  Depth depth(const RawEvent& e) {
    if (exhaustive) return Depth::full;
    const auto type = static_cast<uint8_t>(e.type());
    const bool has_table = type == 19 || (type >= 20 && type <= 25) || (type >= 30 && type <= 32) ||
                           type == 39 || (type >= 166 && type <= 171);
    const int n = ++seen[{type, has_table ? table_id(e) : 0}];
    if (n <= kFullPerKind) return Depth::full;
    return n <= kFullPerKind + kLightPerKind || n % 10 == 0 ? Depth::light : Depth::skip;
  }
};

void run_file(const fs::path& path, bool exhaustive, Tally& tally) {
  const Bytes data = read_file(path);
  if (data.size() < 4 || std::memcmp(data.data(), kMagic, 4) != 0) return;
  const std::vector<RawEvent> events = split_events(data, 4);
  const std::string name = path.filename().string();
  Sampler sampler{exhaustive, {}};
  std::mt19937 rng(20240615);

  // A reference decoder reads the file alongside: the checksum algorithm and the state in force.
  Decoder reference(name);
  std::vector<size_t> state;
  std::map<uint64_t, size_t> tables;  // table id -> index of its latest TABLE_MAP
  for (size_t i = 0; i < events.size(); ++i) {
    const RawEvent& e = events[i];
    const bool crc = reference.format() != nullptr &&
                     reference.format()->checksum == ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32;
    const Target t{name, &events, state, i};
    const Depth depth = sampler.depth(e);
    if (depth != Depth::skip) {
      try_event(t, crc,
                depth == Depth::full ? full_plan(e.bytes.size()) : light_plan(e.bytes.size()), rng,
                tally);
    }
    if (depth == Depth::full && e.type() == EventType::TRANSACTION_PAYLOAD_EVENT) {
      try_payload_inner_events(t, crc, rng, tally);
    }

    std::vector<Event> sink;
    try {
      reference.decode(e.bytes, e.offset, sink);
    } catch (const DecodeError&) {
    }
    if (e.type() == EventType::FORMAT_DESCRIPTION_EVENT) {
      state = {i};
      tables.clear();
    } else if (e.type() == EventType::TABLE_MAP_EVENT) {
      const auto old = tables.find(table_id(e));
      if (old != tables.end()) std::erase(state, old->second);
      tables[table_id(e)] = i;
      state.push_back(i);
    }
  }
}

void run_all(bool exhaustive) {
  const auto start = std::chrono::steady_clock::now();
  Tally tally;
  size_t files = 0;
  for (const auto& path : fixture_files()) {
    INFO("fixture " << path.string());
    run_file(path, exhaustive, tally);
    ++files;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(files << " files, " << tally.decoded << " attempts decoded, " << tally.rejected
             << " rejected, " << seconds << " s");
  CHECK(files == 93);
  CHECK(tally.rejected > 0);
  CHECK(tally.decoded > 0);
}

}  // namespace

TEST_CASE("robustness: truncations and bit flips of every fixture event", "[binlog][robustness]") {
  if (!have_fixtures()) return;
  run_all(false);
}

// Every event gets the full plan: a few minutes; CTest runs it under the label `slow`.
TEST_CASE("robustness: every truncation of every fixture event, exhaustively", "[.][slow]") {
  if (!have_fixtures()) return;
  run_all(true);
}
