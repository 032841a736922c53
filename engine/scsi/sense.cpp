#include "engine/scsi/sense.hpp"

#include <cstdio>

namespace offload::scsi {
namespace {

constexpr std::string_view kFormat = "sense data";

std::string_view asc_name(AdditionalSense code) {
  if (code == asc::invalid_operation_code) return "INVALID COMMAND OPERATION CODE";
  if (code == asc::invalid_field_in_cdb) return "INVALID FIELD IN CDB";
  if (code == asc::invalid_field_in_parameter_list) return "INVALID FIELD IN PARAMETER LIST";
  if (code == asc::parameter_list_length_error) return "PARAMETER LIST LENGTH ERROR";
  if (code == asc::copy_target_device_not_reachable) return "COPY TARGET DEVICE NOT REACHABLE";
  if (code == asc::too_many_segment_descriptors) return "TOO MANY SEGMENT DESCRIPTORS";
  if (code == asc::invalid_token_operation) return "INVALID TOKEN OPERATION";
  if (code == asc::token_unknown) return "INVALID TOKEN OPERATION, TOKEN UNKNOWN";
  if (code == asc::token_expired) return "INVALID TOKEN OPERATION, TOKEN EXPIRED";
  if (code == asc::third_party_device_failure) return "THIRD PARTY DEVICE FAILURE";
  if (code == asc::lba_out_of_range) return "LOGICAL BLOCK ADDRESS OUT OF RANGE";
  if (code == asc::power_on_reset) return "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED";
  if (code == asc::luns_changed) return "REPORTED LUNS DATA HAS CHANGED";
  if (code == asc::write_protected) return "WRITE PROTECTED";
  if (code == asc::space_allocation_failed) return "SPACE ALLOCATION FAILED WRITE PROTECT";
  if (code == asc::unrecovered_read_error) return "UNRECOVERED READ ERROR";
  return "";
}

}  // namespace

std::string_view sense_key_name(SenseKey key) {
  switch (key) {
    case SenseKey::no_sense: return "NO SENSE";
    case SenseKey::recovered_error: return "RECOVERED ERROR";
    case SenseKey::not_ready: return "NOT READY";
    case SenseKey::medium_error: return "MEDIUM ERROR";
    case SenseKey::hardware_error: return "HARDWARE ERROR";
    case SenseKey::illegal_request: return "ILLEGAL REQUEST";
    case SenseKey::unit_attention: return "UNIT ATTENTION";
    case SenseKey::data_protect: return "DATA PROTECT";
    case SenseKey::blank_check: return "BLANK CHECK";
    case SenseKey::vendor_specific: return "VENDOR SPECIFIC";
    case SenseKey::copy_aborted: return "COPY ABORTED";
    case SenseKey::aborted_command: return "ABORTED COMMAND";
    case SenseKey::volume_overflow: return "VOLUME OVERFLOW";
    case SenseKey::miscompare: return "MISCOMPARE";
  }
  return "RESERVED";
}

std::string Sense::describe() const {
  char text[64];
  std::snprintf(text, sizeof text, ", asc 0x%02x/0x%02x", code.asc, code.ascq);
  std::string out = std::string(sense_key_name(key)) + text;
  if (auto name = asc_name(code); !name.empty()) out += " (" + std::string(name) + ")";
  return out;
}

Bytes encode_fixed_sense(const Sense& sense) {
  Bytes out(18, 0);
  out[0] = static_cast<std::uint8_t>((sense.deferred ? 0x71 : 0x70) | (sense.information ? 0x80 : 0x00));
  out[2] = static_cast<std::uint8_t>(sense.key) & 0x0F;
  if (sense.information) put_be(out, 3, 4, *sense.information & 0xFFFFFFFFU);
  out[7] = 10;  // bytes 8-17 follow
  put_be(out, 8, 4, sense.command_specific);
  out[12] = sense.code.asc;
  out[13] = sense.code.ascq;
  if (sense.key_specific) {
    out[15] = static_cast<std::uint8_t>(0x80 | ((*sense.key_specific)[0] & 0x7F));
    out[16] = (*sense.key_specific)[1];
    out[17] = (*sense.key_specific)[2];
  }
  return out;
}

Bytes encode_descriptor_sense(const Sense& sense) {
  Bytes out(8, 0);
  out[0] = sense.deferred ? 0x73 : 0x72;
  out[1] = static_cast<std::uint8_t>(sense.key) & 0x0F;
  out[2] = sense.code.asc;
  out[3] = sense.code.ascq;
  if (sense.information) {  // information descriptor: type 0x00, additional length 0x0A
    Bytes d(12, 0);
    d[0] = 0x00;
    d[1] = 0x0A;
    d[2] = 0x80;  // VALID
    put_be(d, 4, 8, *sense.information);
    out.insert(out.end(), d.begin(), d.end());
  }
  if (sense.key_specific) {  // sense key specific descriptor: type 0x02, additional length 0x06
    Bytes d(8, 0);
    d[0] = 0x02;
    d[1] = 0x06;
    d[4] = static_cast<std::uint8_t>(0x80 | ((*sense.key_specific)[0] & 0x7F));
    d[5] = (*sense.key_specific)[1];
    d[6] = (*sense.key_specific)[2];
    out.insert(out.end(), d.begin(), d.end());
  }
  out[7] = static_cast<std::uint8_t>(out.size() - 8);
  return out;
}

Decoded<Sense> decode_sense(std::span<const std::uint8_t> in) {
  if (auto ok = need_bytes(in, 1, kFormat, "RESPONSE CODE (byte 0)"); !ok) return pass_on(ok.error());
  Sense sense;
  std::uint8_t code = in[0] & 0x7F;
  switch (code) {
    case 0x70: case 0x71: {
      sense.deferred = code == 0x71;
      if (auto ok = need_bytes(in, 8, kFormat, "ADDITIONAL SENSE LENGTH (byte 7)"); !ok) return pass_on(ok.error());
      std::size_t additional = in[7];
      if (auto ok = need_claimed(in, 8, additional, kFormat, "ADDITIONAL SENSE LENGTH (byte 7)"); !ok) {
        return pass_on(ok.error());
      }
      if (additional < 6) {
        return decode_error(kFormat, "ADDITIONAL SENSE LENGTH (byte 7)",
                            "is " + std::to_string(additional) + ", too short for ASC/ASCQ (bytes 12-13)");
      }
      sense.key = static_cast<SenseKey>(in[2] & 0x0F);
      if (in[0] & 0x80) sense.information = get_be32(in, 3);
      sense.command_specific = get_be32(in, 8);
      sense.code = {in[12], in[13]};
      if (additional >= 10 && (in[15] & 0x80)) sense.key_specific = std::array<std::uint8_t, 3>{
          static_cast<std::uint8_t>(in[15] & 0x7F), in[16], in[17]};
      return sense;
    }
    case 0x72: case 0x73: {
      sense.descriptor_format = true;
      sense.deferred = code == 0x73;
      if (auto ok = need_bytes(in, 8, kFormat, "descriptor-format header (bytes 0-7)"); !ok) {
        return pass_on(ok.error());
      }
      sense.key = static_cast<SenseKey>(in[1] & 0x0F);
      sense.code = {in[2], in[3]};
      std::size_t additional = in[7];
      if (auto ok = need_claimed(in, 8, additional, kFormat, "ADDITIONAL SENSE LENGTH (byte 7)"); !ok) {
        return pass_on(ok.error());
      }
      std::size_t at = 8;
      const std::size_t end = 8 + additional;
      while (at < end) {
        if (end - at < 2) {
          return decode_error(kFormat, "sense data descriptor at byte " + std::to_string(at),
                              "header cut off by the additional sense length");
        }
        std::uint8_t type = in[at];
        std::size_t length = in[at + 1];
        if (length > end - at - 2) {
          return decode_error(kFormat, "ADDITIONAL LENGTH of descriptor 0x" + std::to_string(type) + " at byte " +
                                           std::to_string(at),
                              "runs past the additional sense length");
        }
        if (type == 0x00) {
          if (length != 0x0A) {
            return decode_error(kFormat, "information descriptor ADDITIONAL LENGTH", "is " + std::to_string(length) +
                                                                                         ", must be 10");
          }
          if (in[at + 2] & 0x80) sense.information = get_be64(in, at + 4);
        } else if (type == 0x02) {
          if (length != 0x06) {
            return decode_error(kFormat, "sense key specific descriptor ADDITIONAL LENGTH",
                                "is " + std::to_string(length) + ", must be 6");
          }
          if (in[at + 4] & 0x80) sense.key_specific = std::array<std::uint8_t, 3>{
              static_cast<std::uint8_t>(in[at + 4] & 0x7F), in[at + 5], in[at + 6]};
        }
        at += 2 + length;
      }
      return sense;
    }
    default:
      return decode_error(kFormat, "RESPONSE CODE (byte 0)", "unknown response code " + std::to_string(code) +
                                                                 " (want 0x70-0x73)");
  }
}

}  // namespace offload::scsi
