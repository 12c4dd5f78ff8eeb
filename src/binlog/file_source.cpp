#include "binlog/file_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "binlog/byte_reader.hpp"
#include "binlog/constants.hpp"

namespace my2pg::binlog {
namespace {

[[noreturn]] void fail(const std::string& file, uint64_t offset, const std::string& problem) {
  throw DecodeError("binlog " + file + " at position " + std::to_string(offset) + ": " + problem);
}

}  // namespace

FileSource::FileSource(std::vector<std::string> files, bool follow_rotates)
    : m_pending(files.begin(), files.end()), m_follow(follow_rotates) {}

FileSource::~FileSource() {
  if (m_file != nullptr) std::fclose(m_file);
}

bool FileSource::open_next() {
  if (m_file != nullptr) std::fclose(m_file);
  m_file = nullptr;
  if (m_pending.empty()) return false;
  m_name = m_pending.front();
  m_pending.pop_front();
  m_file = std::fopen(m_name.c_str(), "rb");
  if (m_file == nullptr) {
    throw Error("cannot open binlog file " + m_name + ": " + std::strerror(errno), ExitCode::usage);
  }
  std::error_code ec;
  m_size = std::filesystem::file_size(m_name, ec);
  uint8_t magic[4] = {};
  if (std::fread(magic, 1, 4, m_file) != 4 || std::memcmp(magic, kMagic, 4) != 0) {
    fail(m_name, 0, "not a binlog file (it does not start with the bytes FE 62 69 6E)");
  }
  m_offset = 4;
  m_base_name = std::filesystem::path(m_name).filename().string();
  m_begin = m_end = 0;
  return true;
}

bool FileSource::fill(size_t n) {
  constexpr size_t kBlock = size_t{1} << 20;
  if (m_end - m_begin >= n) return true;
  if (m_begin > 0) {  // keep the unread tail, at the front
    std::memmove(m_buffer.data(), m_buffer.data() + m_begin, m_end - m_begin);
    m_end -= m_begin;
    m_begin = 0;
  }
  if (m_buffer.size() < std::max(n, kBlock)) m_buffer.resize(std::max(n, kBlock));
  while (m_end < n) {
    const size_t got = std::fread(m_buffer.data() + m_end, 1, m_buffer.size() - m_end, m_file);
    if (got == 0) return false;
    m_end += got;
  }
  return true;
}

void FileSource::note_rotate(const RawEvent& event) {
  if (!m_follow || event.bytes.size() < kHeaderLength + 8) return;
  if (static_cast<EventType>(event.bytes[4]) != EventType::ROTATE_EVENT) return;
  // The name runs to the end of the event, less a CRC32 we cannot know about here: take the
  // longest prefix that names an existing file in the same directory.
  const auto name_bytes = event.bytes.subspan(kHeaderLength + 8);
  std::string name(reinterpret_cast<const char*>(name_bytes.data()), name_bytes.size());
  const auto dir = std::filesystem::path(m_name).parent_path();
  for (size_t cut = 0; cut <= 4 && cut < name.size(); ++cut) {
    const std::string candidate = name.substr(0, name.size() - cut);
    const auto path = (dir / candidate).string();
    if (candidate.find('/') != std::string::npos || !std::filesystem::is_regular_file(path))
      continue;
    if (m_pending.empty() || std::filesystem::path(m_pending.front()).filename() != candidate) {
      m_pending.push_front(path);
    }
    return;
  }
}

bool FileSource::next(RawEvent& event) {
  while (true) {
    if (m_file == nullptr && !open_next()) return false;
    if (!fill(kHeaderLength)) {
      if (m_end != m_begin)
        fail(m_name, m_offset, "the file ends inside an event header (truncated file)");
      std::fclose(m_file);
      m_file = nullptr;
      m_first_file = false;
      continue;
    }
    const uint8_t* header = m_buffer.data() + m_begin;
    const uint32_t size = ByteReader(std::span<const uint8_t>(header + 9, 4)).u32("event size");
    if (size < kHeaderLength || (m_size != 0 && m_offset + size > m_size)) {
      fail(m_name, m_offset,
           "event size " + std::to_string(size) + " is impossible here (file has " +
               std::to_string(m_size) + " bytes): the file is truncated or corrupt");
    }
    if (!fill(size)) fail(m_name, m_offset, "the file ends inside an event (truncated file)");
    event.bytes = std::span<const uint8_t>(m_buffer.data() + m_begin, size);
    event.position = m_offset;
    event.file = m_base_name;
    m_begin += size;
    m_offset += size;
    const bool is_fde =
        static_cast<EventType>(event.bytes[4]) == EventType::FORMAT_DESCRIPTION_EVENT;
    if (m_first_file && is_fde && m_start_at > m_offset) {  // deliver the FDE, then jump
      if (m_size != 0 && m_start_at > m_size) {
        fail(m_name, m_start_at,
             "the start position is past the end of the file (" + std::to_string(m_size) +
                 " bytes)");
      }
      if (std::fseek(m_file, static_cast<long>(m_start_at), SEEK_SET) != 0) {
        fail(m_name, m_start_at, "cannot seek to the start position");
      }
      // The FDE's bytes stay valid: the buffer is only refilled by the next call.
      m_end = m_begin;
      m_offset = m_start_at;
    }
    note_rotate(event);
    return true;
  }
}

}  // namespace my2pg::binlog
