#include "engine/scsi/cdb.hpp"

namespace offload::scsi {
namespace {

constexpr std::string_view kFormat = "CDB";

Bytes copy_cdb(Opcode opcode, std::uint8_t action) {
  Bytes cdb(16, 0);
  cdb[0] = static_cast<std::uint8_t>(opcode);
  cdb[1] = action & 0x1F;
  return cdb;
}

Bytes token_cdb(CopyOutAction action, std::uint32_t list_id, std::uint32_t length, std::uint8_t group) {
  Bytes cdb = copy_cdb(Opcode::third_party_copy_out, static_cast<std::uint8_t>(action));
  put_be(cdb, 6, 4, list_id);
  put_be(cdb, 10, 4, length);
  cdb[14] = group & 0x1F;
  return cdb;
}

bool known_out_action(std::uint8_t action) {
  switch (static_cast<CopyOutAction>(action)) {
    case CopyOutAction::extended_copy_lid1: case CopyOutAction::extended_copy_lid4:
    case CopyOutAction::populate_token: case CopyOutAction::write_using_token:
    case CopyOutAction::copy_operation_abort: return true;
  }
  return false;
}

bool known_in_action(std::uint8_t action) { return action <= 0x08 && action != 0x02; }

}  // namespace

Bytes inquiry_cdb(bool evpd, std::uint8_t page, std::uint16_t allocation_length) {
  Bytes cdb(6, 0);
  cdb[0] = static_cast<std::uint8_t>(Opcode::inquiry);
  cdb[1] = evpd ? 0x01 : 0x00;
  cdb[2] = evpd ? page : 0;
  put_be(cdb, 3, 2, allocation_length);
  return cdb;
}

Bytes extended_copy_lid1_cdb(std::uint32_t parameter_list_length) {
  Bytes cdb = copy_cdb(Opcode::third_party_copy_out, static_cast<std::uint8_t>(CopyOutAction::extended_copy_lid1));
  put_be(cdb, 10, 4, parameter_list_length);
  return cdb;
}

Bytes receive_copy_results_cdb(CopyInAction action, std::uint8_t list_id, std::uint32_t allocation_length) {
  Bytes cdb = copy_cdb(Opcode::third_party_copy_in, static_cast<std::uint8_t>(action));
  if (action != CopyInAction::operating_parameters) cdb[2] = list_id;
  put_be(cdb, 10, 4, allocation_length);
  return cdb;
}

Bytes receive_rod_token_information_cdb(std::uint32_t list_id, std::uint32_t allocation_length) {
  Bytes cdb = copy_cdb(Opcode::third_party_copy_in, static_cast<std::uint8_t>(CopyInAction::rod_token_information));
  put_be(cdb, 2, 4, list_id);
  put_be(cdb, 10, 4, allocation_length);
  return cdb;
}

Bytes copy_operation_abort_cdb(std::uint32_t list_id) {
  Bytes cdb = copy_cdb(Opcode::third_party_copy_out, static_cast<std::uint8_t>(CopyOutAction::copy_operation_abort));
  put_be(cdb, 2, 4, list_id);
  return cdb;
}

Bytes populate_token_cdb(std::uint32_t list_id, std::uint32_t parameter_list_length, std::uint8_t group_number) {
  return token_cdb(CopyOutAction::populate_token, list_id, parameter_list_length, group_number);
}

Bytes write_using_token_cdb(std::uint32_t list_id, std::uint32_t parameter_list_length, std::uint8_t group_number) {
  return token_cdb(CopyOutAction::write_using_token, list_id, parameter_list_length, group_number);
}

Decoded<Cdb> decode_cdb(std::span<const std::uint8_t> in) {
  if (auto ok = need_bytes(in, 1, kFormat, "OPERATION CODE (byte 0)"); !ok) return std::unexpected(ok.error());
  Cdb cdb;
  switch (in[0]) {
    case static_cast<std::uint8_t>(Opcode::inquiry): {
      if (in.size() != 6) {
        return decode_error(kFormat, "INQUIRY length", "is " + std::to_string(in.size()) + " bytes, must be 6");
      }
      cdb.opcode = Opcode::inquiry;
      cdb.evpd = (in[1] & 0x01) != 0;
      cdb.page_code = in[2];
      if (!cdb.evpd && cdb.page_code != 0) {
        return decode_error(kFormat, "INQUIRY PAGE CODE (byte 2)", "must be 0 when EVPD is 0");
      }
      cdb.allocation_length = get_be16(in, 3);
      cdb.control = in[5];
      return cdb;
    }
    case static_cast<std::uint8_t>(Opcode::third_party_copy_out):
    case static_cast<std::uint8_t>(Opcode::third_party_copy_in): break;
    default:
      return decode_error(kFormat, "OPERATION CODE (byte 0)", "unsupported opcode " + std::to_string(in[0]));
  }
  if (in.size() != 16) {
    return decode_error(kFormat, "length", "is " + std::to_string(in.size()) + " bytes, must be 16 for opcode 0x" +
                                               (in[0] == 0x83 ? "83" : "84"));
  }
  cdb.opcode = static_cast<Opcode>(in[0]);
  cdb.service_action = in[1] & 0x1F;
  cdb.control = in[15];
  if (cdb.opcode == Opcode::third_party_copy_out) {
    if (!known_out_action(cdb.service_action)) {
      return decode_error(kFormat, "SERVICE ACTION (byte 1)", "unknown THIRD-PARTY COPY OUT action " +
                                                                   std::to_string(cdb.service_action));
    }
    switch (static_cast<CopyOutAction>(cdb.service_action)) {
      case CopyOutAction::populate_token:
      case CopyOutAction::write_using_token:
        cdb.list_id = get_be32(in, 6);
        cdb.parameter_list_length = get_be32(in, 10);
        cdb.group_number = in[14] & 0x1F;
        break;
      case CopyOutAction::copy_operation_abort: cdb.list_id = get_be32(in, 2); break;
      default: cdb.parameter_list_length = get_be32(in, 10); break;
    }
    return cdb;
  }
  if (!known_in_action(cdb.service_action)) {
    return decode_error(kFormat, "SERVICE ACTION (byte 1)", "unknown THIRD-PARTY COPY IN action " +
                                                                 std::to_string(cdb.service_action));
  }
  auto action = static_cast<CopyInAction>(cdb.service_action);
  bool lid1 = action == CopyInAction::copy_status_lid1 || action == CopyInAction::receive_data_lid1 ||
              action == CopyInAction::failed_segment_details;
  if (lid1) cdb.list_id = in[2];
  else if (action != CopyInAction::operating_parameters) cdb.list_id = get_be32(in, 2);
  cdb.allocation_length = get_be32(in, 10);
  return cdb;
}

}  // namespace offload::scsi
