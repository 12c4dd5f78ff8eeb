#pragma once
// The stateful event decoder: driven by the FORMAT_DESCRIPTION event (post-header lengths,
// checksum algorithm), it verifies checksums, keeps the table maps row events refer to, and
// unpacks transaction payloads. It links neither the client library nor libpq.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "binlog/events.hpp"
#include "binlog/rows_decoder.hpp"

namespace my2pg::binlog {

class Decoder {
 public:
  explicit Decoder(std::string file_name = {});

  // The binlog file the next events come from (for positions and error messages).
  void set_file(std::string name) { m_file = std::move(name); }
  const std::string& file() const { return m_file; }
  void set_verify_checksums(bool on) { m_verify = on; }
  // MariaDB logs TIME/DATETIME/TIMESTAMP columns in the old 5.3 "hires" format without their
  // fractional precision, so their row values cannot be read without the catalog. The lookup,
  // asked for such columns when their TABLE_MAP arrives, returns the precision (0-6) or nothing.
  using PrecisionLookup =
      std::function<std::optional<uint8_t>(const TableMapEvent& table, size_t column)>;
  void set_temporal_precision_lookup(PrecisionLookup lookup) { m_precision = std::move(lookup); }

  // Rows events of tables the filter rejects (asked once per TABLE_MAP) are not decoded: they
  // come out as a RowsEvent with `skipped` set and no images, so that tables a replica does not
  // follow cost a table-id lookup.
  using TableFilter = std::function<bool(const TableMapEvent& table)>;
  void set_table_filter(TableFilter filter) { m_filter = std::move(filter); }

  // A live stream starts with a ROTATE_EVENT before any FORMAT_DESCRIPTION_EVENT; it carries the
  // checksum the session negotiated, which only the stream knows.
  void set_stream_checksum(ChecksumAlg alg) { m_stream_checksum = alg; }

  // Decodes one whole raw event (common header to checksum) that starts at `position` in the
  // current file, and appends it to `out`; a TRANSACTION_PAYLOAD_EVENT is followed by its inner
  // events. Events may point into `raw` and into buffers the decoder keeps until the next call.
  // Throws DecodeError naming file, position, event type and offset.
  void decode(std::span<const uint8_t> raw, uint64_t position, std::vector<Event>& out);

  // Null before the first FORMAT_DESCRIPTION_EVENT.
  const FormatDescriptionEvent* format() const { return m_fde.get(); }
  const TableMapEvent* table(uint64_t table_id) const;

 private:
  void decode_one(std::span<const uint8_t> raw, uint64_t position, bool in_payload,
                  std::vector<Event>& out);
  void decode_payload(Event& event, class ByteReader& r, std::vector<Event>& out);
  RowsEvent decode_rows_explained(class ByteReader& r, EventType type,
                                  const FormatDescriptionEvent& fde);

  std::string m_file;
  bool m_verify = true;
  PrecisionLookup m_precision;
  TableFilter m_filter;
  ChecksumAlg m_stream_checksum = ChecksumAlg::UNDEF;
  std::unique_ptr<FormatDescriptionEvent> m_fde;
  struct Table {
    KnownTable known;
    std::string bytes;  // the map's raw body: an identical TABLE_MAP is not decoded again
    bool skip = false;  // rejected by the table filter
  };
  std::unordered_map<uint64_t, Table> m_tables;
  std::vector<std::string> m_payloads;  // decompressed payloads of the current call
};

}  // namespace my2pg::binlog
