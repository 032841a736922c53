// Command descriptor blocks of the copy-offload commands (SPC-4 / SBC-3):
// INQUIRY, THIRD-PARTY COPY OUT (0x83: EXTENDED COPY LID1, POPULATE TOKEN,
// WRITE USING TOKEN, COPY OPERATION ABORT) and THIRD-PARTY COPY IN (0x84:
// RECEIVE COPY RESULTS service actions, RECEIVE ROD TOKEN INFORMATION).
// The encoders build the exact bytes; decode_cdb reads them back (for the
// simulated array and for fuzzing).
#pragma once

#include <cstdint>
#include <span>

#include "engine/scsi/bytes.hpp"

namespace offload::scsi {

/// Operation codes used here.
enum class Opcode : std::uint8_t {
  inquiry = 0x12,                ///< INQUIRY (6-byte CDB)
  third_party_copy_out = 0x83,   ///< EXTENDED COPY and friends (16-byte CDB)
  third_party_copy_in = 0x84,    ///< RECEIVE COPY RESULTS and friends (16-byte CDB)
};

/// Service actions of THIRD-PARTY COPY OUT (SPC-4 Table 5.17 / SBC-3).
enum class CopyOutAction : std::uint8_t {
  extended_copy_lid1 = 0x00,    ///< EXTENDED COPY (LID1)
  extended_copy_lid4 = 0x01,    ///< EXTENDED COPY (LID4)
  populate_token = 0x10,        ///< POPULATE TOKEN (SBC-3)
  write_using_token = 0x11,     ///< WRITE USING TOKEN (SBC-3)
  copy_operation_abort = 0x1C,  ///< COPY OPERATION ABORT
};

/// Service actions of THIRD-PARTY COPY IN.
enum class CopyInAction : std::uint8_t {
  copy_status_lid1 = 0x00,            ///< RECEIVE COPY STATUS (LID1)
  receive_data_lid1 = 0x01,           ///< RECEIVE COPY DATA (LID1)
  operating_parameters = 0x03,        ///< RECEIVE COPY OPERATING PARAMETERS
  failed_segment_details = 0x04,      ///< RECEIVE COPY FAILURE DETAILS (LID1)
  copy_status_lid4 = 0x05,            ///< RECEIVE COPY STATUS (LID4)
  receive_data_lid4 = 0x06,           ///< RECEIVE COPY DATA (LID4)
  rod_token_information = 0x07,       ///< RECEIVE ROD TOKEN INFORMATION
  all_rod_tokens = 0x08,              ///< REPORT ALL ROD TOKENS
};

/// INQUIRY CDB (6 bytes): standard data, or VPD page `page` when `evpd`.
Bytes inquiry_cdb(bool evpd, std::uint8_t page, std::uint16_t allocation_length);

/// EXTENDED COPY (LID1) CDB (16 bytes) for a parameter list of `parameter_list_length` bytes.
Bytes extended_copy_lid1_cdb(std::uint32_t parameter_list_length);

/// RECEIVE COPY RESULTS CDB (16 bytes) for a LID1 service action (list id in byte 2)
/// or the operating parameters (list id ignored).
Bytes receive_copy_results_cdb(CopyInAction action, std::uint8_t list_id, std::uint32_t allocation_length);

/// RECEIVE ROD TOKEN INFORMATION CDB (16 bytes; 32-bit list id in bytes 2-5).
Bytes receive_rod_token_information_cdb(std::uint32_t list_id, std::uint32_t allocation_length);

/// COPY OPERATION ABORT CDB (16 bytes; 32-bit list id in bytes 2-5).
Bytes copy_operation_abort_cdb(std::uint32_t list_id);

/// POPULATE TOKEN CDB (16 bytes): list id in bytes 6-9, parameter list length 10-13.
Bytes populate_token_cdb(std::uint32_t list_id, std::uint32_t parameter_list_length, std::uint8_t group_number = 0);

/// WRITE USING TOKEN CDB (16 bytes), same layout as POPULATE TOKEN.
Bytes write_using_token_cdb(std::uint32_t list_id, std::uint32_t parameter_list_length, std::uint8_t group_number = 0);

/// A decoded CDB of one of the commands above. Fields a command lacks stay 0.
struct Cdb {
  Opcode opcode = Opcode::inquiry;       ///< byte 0
  std::uint8_t service_action = 0;       ///< byte 1 bits 4-0 (0x83 / 0x84)
  bool evpd = false;                     ///< INQUIRY byte 1 bit 0
  std::uint8_t page_code = 0;            ///< INQUIRY byte 2
  std::uint32_t list_id = 0;             ///< list identifier (8 or 32 bits by command)
  std::uint32_t parameter_list_length = 0;  ///< bytes of parameter data sent (0x83), 0 = none
  std::uint32_t allocation_length = 0;   ///< bytes of data the initiator accepts (INQUIRY, 0x84)
  std::uint8_t group_number = 0;         ///< POPULATE TOKEN / WRITE USING TOKEN byte 14 bits 4-0
  std::uint8_t control = 0;              ///< last byte
  friend bool operator==(const Cdb&, const Cdb&) = default;
};

/// Decodes one CDB; rejects unknown opcodes or service actions and wrong lengths.
Decoded<Cdb> decode_cdb(std::span<const std::uint8_t> cdb);

}  // namespace offload::scsi
