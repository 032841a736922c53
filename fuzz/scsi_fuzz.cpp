// libFuzzer target: the SCSI wire decoders of engine/scsi/ (the 13 decode_*
// entry points). The first input byte picks the decoder (modulo 13), the rest
// is the buffer it decodes. Besides never reading outside the buffer (ASan
// in the fuzz build), each decoder must keep two promises:
//  - a failure names its format, its field and a cause;
//  - a success is stable: encoding the decoded value (with the encoder the
//    engine or the simulated array uses) and decoding those bytes again gives
//    the same value. Reserved bits and fields an encoder does not write are
//    allowed to differ from the input bytes, so the check is on values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/receive_copy_results.hpp"
#include "engine/scsi/rod_token.hpp"
#include "engine/scsi/sense.hpp"
#include "engine/scsi/vpd_device_identification.hpp"
#include "engine/scsi/vpd_third_party_copy.hpp"
#include "engine/scsi/xcopy_lid1.hpp"

namespace {

using namespace offload::scsi;
using Span = std::span<const std::uint8_t>;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer reports the input that broke the invariant
}

// Decodes; on failure checks the error names format, field and cause; on
// success re-encodes (when `encode` gives bytes; it may first reset fields its
// encoder always writes as 0) and checks the value survives.
template <class T, class Decode, class Encode>
void check(Span in, Decode decode, Encode encode) {
  Decoded<T> first = decode(in);
  if (!first) {
    const DecodeError& e = first.error();
    require(!e.format.empty() && !e.field.empty() && !e.message.empty());
    return;
  }
  T& value = *first;
  std::optional<Bytes> bytes = encode(value);
  if (!bytes) return;
  Decoded<T> again = decode(Span(*bytes));
  require(again.has_value());
  require(*again == value);
}

// The CDB encoder for a decoded CDB, when the engine has one for that
// command (control byte: the encoders always write 0).
std::optional<Bytes> encode_cdb(Cdb& cdb) {
  cdb.control = 0;
  switch (cdb.opcode) {
    case Opcode::inquiry:
      if (cdb.allocation_length > 0xFFFF) return std::nullopt;
      return inquiry_cdb(cdb.evpd, cdb.page_code, static_cast<std::uint16_t>(cdb.allocation_length));
    case Opcode::third_party_copy_out:
      switch (static_cast<CopyOutAction>(cdb.service_action)) {
        case CopyOutAction::extended_copy_lid1: return extended_copy_lid1_cdb(cdb.parameter_list_length);
        case CopyOutAction::populate_token:
          return populate_token_cdb(cdb.list_id, cdb.parameter_list_length, cdb.group_number);
        case CopyOutAction::write_using_token:
          return write_using_token_cdb(cdb.list_id, cdb.parameter_list_length, cdb.group_number);
        case CopyOutAction::copy_operation_abort: return copy_operation_abort_cdb(cdb.list_id);
        default: return std::nullopt;  // LID4: no encoder
      }
    case Opcode::third_party_copy_in:
      switch (static_cast<CopyInAction>(cdb.service_action)) {
        case CopyInAction::copy_status_lid1:
        case CopyInAction::receive_data_lid1:
        case CopyInAction::failed_segment_details:
        case CopyInAction::operating_parameters:
          return receive_copy_results_cdb(static_cast<CopyInAction>(cdb.service_action),
                                          static_cast<std::uint8_t>(cdb.list_id), cdb.allocation_length);
        case CopyInAction::rod_token_information:
          return receive_rod_token_information_cdb(cdb.list_id, cdb.allocation_length);
        default: return std::nullopt;  // LID4 and REPORT ALL ROD TOKENS: no encoder
      }
  }
  return std::nullopt;
}

template <class T>
std::optional<Bytes> no_encoder(const T&) {
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // Copy the buffer so ASan sees its exact end (libFuzzer's own buffer is exact too;
  // the replay main's vector may have spare capacity).
  Bytes buffer(data + 1, data + size);
  Span in(buffer);
  switch (data[0] % 13) {
    case 0:
      check<Cdb>(in, decode_cdb, encode_cdb);
      break;
    case 1:
      check<Sense>(in, decode_sense, [](const Sense& s) -> std::optional<Bytes> {
        return s.descriptor_format ? encode_descriptor_sense(s) : encode_fixed_sense(s);
      });
      break;
    case 2:
      check<Lid1CopyStatus>(in, decode_copy_status, [](const Lid1CopyStatus& s) -> std::optional<Bytes> {
        return encode_copy_status(s);
      });
      break;
    case 3:
      check<OperatingParameters>(in, decode_operating_parameters,
                                 [](const OperatingParameters& p) -> std::optional<Bytes> {
                                   return encode_operating_parameters(p);
                                 });
      break;
    case 4:
      check<FailedSegmentDetails>(in, decode_failed_segment_details,
                                  [](const FailedSegmentDetails& d) -> std::optional<Bytes> {
                                    return encode_failed_segment_details(d);
                                  });
      break;
    case 5:
      check<std::uint32_t>(in, decode_rod_token, no_encoder<std::uint32_t>);
      break;
    case 6:
      check<PopulateToken>(in, decode_populate_token, [](const PopulateToken& p) -> std::optional<Bytes> {
        return encode_populate_token(p);
      });
      break;
    case 7:
      check<WriteUsingToken>(in, decode_write_using_token, [](const WriteUsingToken& w) -> std::optional<Bytes> {
        return encode_write_using_token(w);
      });
      break;
    case 8:
      check<RodTokenInformation>(in, decode_rod_token_information,
                                 [](const RodTokenInformation& r) -> std::optional<Bytes> {
                                   return encode_rod_token_information(r);
                                 });
      break;
    case 9:
      check<DeviceIdentificationVpd>(in, decode_device_identification_vpd,
                                     [](const DeviceIdentificationVpd& p) -> std::optional<Bytes> {
                                       return encode_device_identification_vpd(p);
                                     });
      break;
    case 10:
      check<StandardInquiry>(in, decode_standard_inquiry, [](const StandardInquiry& q) -> std::optional<Bytes> {
        return encode_standard_inquiry(q);
      });
      break;
    case 11:
      check<ThirdPartyCopyVpd>(in, decode_third_party_copy_vpd, [](const ThirdPartyCopyVpd& p) -> std::optional<Bytes> {
        return encode_third_party_copy_vpd(p);
      });
      break;
    case 12:
      check<ExtendedCopyList>(in, decode_extended_copy, [](const ExtendedCopyList& l) -> std::optional<Bytes> {
        return encode_extended_copy(l);  // decoded designators are <= 20 bytes: never throws
      });
      break;
  }
  return 0;
}
