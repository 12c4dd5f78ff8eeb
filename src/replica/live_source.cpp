#include "replica/live_source.hpp"

#include "binlog/byte_reader.hpp"
#include "common/error.hpp"

namespace my2pg::replica {

LiveSource::LiveSource(const mysql::Endpoint& endpoint, const mysql::StreamStart& start)
    : m_stream(endpoint, start), m_file(start.file), m_next(start.position) {}

bool LiveSource::next(binlog::RawEvent& event) {
  std::span<const uint8_t> bytes;
  if (!m_stream.next(bytes)) return false;
  if (bytes.size() < binlog::kHeaderLength) throw DecodeError("the server sent a truncated event");
  const auto type = static_cast<binlog::EventType>(bytes[4]);
  const uint32_t log_pos = binlog::ByteReader(bytes.subspan(13, 4)).u32("event end position");
  if (type == binlog::EventType::ROTATE_EVENT && bytes.size() >= binlog::kHeaderLength + 8) {
    const size_t crc = m_stream.checksum() == "CRC32" ? binlog::kChecksumLength : 0;
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

binlog::ChecksumAlg LiveSource::checksum() const {
  return m_stream.checksum() == "CRC32" ? binlog::ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32
                                        : binlog::ChecksumAlg::BINLOG_CHECKSUM_ALG_OFF;
}

}  // namespace my2pg::replica
