// Writes the seed corpus of fuzz/scsi_fuzz.cpp: one file per decoder and
// layout, made by the engine's own encoders with the values the wire tests
// (tests/scsi/) and LIO use, each prefixed by the byte that selects its
// decoder. Run once when the encoders change:
//   build/fuzz/fuzz_scsi_seeds fuzz/corpus/scsi
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/receive_copy_results.hpp"
#include "engine/scsi/rod_token.hpp"
#include "engine/scsi/sense.hpp"
#include "engine/scsi/vpd_device_identification.hpp"
#include "engine/scsi/vpd_third_party_copy.hpp"
#include "engine/scsi/xcopy_lid1.hpp"

namespace {

using namespace offload::scsi;

std::filesystem::path out_dir;
int written = 0;

// Selector bytes: the order of the switch in scsi_fuzz.cpp.
enum Decoder : std::uint8_t {
  cdb, sense, copy_status, operating_parameters, failed_segment_details, rod_token, populate_token,
  write_using_token, rod_token_information, device_identification, standard_inquiry, third_party_copy_vpd,
  extended_copy,
};

void seed(const std::string& name, Decoder decoder, const Bytes& bytes) {
  std::ofstream out(out_dir / name, std::ios::binary | std::ios::trunc);
  out.put(static_cast<char>(decoder));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ++written;
}

Designator lio_naa() {
  return {.code_set = 1, .association = 0, .type = DesignatorType::naa,
          .value = {0x60, 0x01, 0x40, 0x5a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x50, 0, 0, 0, 0, 0, 0}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  out_dir = argv[1];
  std::filesystem::create_directories(out_dir);

  seed("cdb-inquiry-vpd83", cdb, inquiry_cdb(true, 0x83, 255));
  seed("cdb-inquiry-standard", cdb, inquiry_cdb(false, 0, 36));
  seed("cdb-xcopy-lid1", cdb, extended_copy_lid1_cdb(16 + 64 + 28));
  seed("cdb-rcr-opparams", cdb, receive_copy_results_cdb(CopyInAction::operating_parameters, 0, 1024));
  seed("cdb-rcr-failed", cdb, receive_copy_results_cdb(CopyInAction::failed_segment_details, 7, 96));
  seed("cdb-rrti", cdb, receive_rod_token_information_cdb(0x01020304, 1024));
  seed("cdb-populate-token", cdb, populate_token_cdb(9, 32, 3));
  seed("cdb-write-using-token", cdb, write_using_token_cdb(9, 552));
  seed("cdb-abort", cdb, copy_operation_abort_cdb(42));

  Sense invalid_opcode{.key = SenseKey::illegal_request, .code = asc::invalid_operation_code};
  Sense expired{.key = SenseKey::illegal_request, .code = asc::token_expired, .information = 0x1234,
                .key_specific = std::array<std::uint8_t, 3>{0x40, 0x00, 0x10}};
  seed("sense-fixed-invalid-opcode", sense, encode_fixed_sense(invalid_opcode));
  seed("sense-fixed-token-expired", sense, encode_fixed_sense(expired));
  seed("sense-descriptor-token-expired", sense, encode_descriptor_sense(expired));
  Sense aborted{.deferred = true, .key = SenseKey::copy_aborted, .code = asc::copy_target_device_not_reachable};
  seed("sense-descriptor-deferred", sense, encode_descriptor_sense(aborted));

  seed("copy-status-good", copy_status,
       encode_copy_status({.status = CopyManagerStatus::completed_good, .segments_processed = 17,
                           .transfer_count_units = 0xF1, .transfer_count = 1048576}));
  seed("opparams-lio", operating_parameters,
       encode_operating_parameters({.supports_no_list_id = true, .max_cscd_descriptors = 2,
                                    .max_segment_descriptors = 1, .max_descriptor_list_length = 1024,
                                    .max_segment_length = 0x10000000, .total_concurrent_copies = 1,
                                    .max_concurrent_copies = 1, .data_segment_granularity_log2 = 9,
                                    .implemented_descriptor_codes = {0x02, 0xE4}}));
  seed("failed-segment-aborted", failed_segment_details,
       encode_failed_segment_details({.present = true, .copy_command_status = 0x02,
                                      .sense = encode_fixed_sense(aborted)}));
  seed("failed-segment-none", failed_segment_details, encode_failed_segment_details({}));

  RodToken zero = zero_rod_token();
  seed("rod-token-zero", rod_token, Bytes(zero.begin(), zero.end()));
  seed("populate-token-two-ranges", populate_token,
       encode_populate_token({.immediate = true, .inactivity_timeout_s = 30,
                              .ranges = {{.lba = 0, .blocks = 65536}, {.lba = 1 << 20, .blocks = 8}}}));
  seed("write-using-token-zero", write_using_token,
       encode_write_using_token({.delete_token = true, .offset_into_rod = 16, .token = zero,
                                 .ranges = {{.lba = 4096, .blocks = 512}}}));
  seed("rrti-populate-done", rod_token_information,
       encode_rod_token_information({.response_to_service_action = 0x10, .status = CopyOperationStatus::completed,
                                     .transfer_count = 65544, .segments_processed = 2, .token = zero}));
  seed("rrti-write-in-progress", rod_token_information,
       encode_rod_token_information({.response_to_service_action = 0x11,
                                     .status = CopyOperationStatus::in_progress_background,
                                     .estimated_status_update_delay_ms = 500,
                                     .sense = encode_fixed_sense({.key = SenseKey::no_sense})}));

  seed("vpd83-lio", device_identification,
       encode_device_identification_vpd(
           {.designators = {{.code_set = 2, .association = 0, .type = DesignatorType::t10_vendor_id,
                             .value = {'L', 'I', 'O', '-', 'O', 'R', 'G', ' ', 'x'}},
                            lio_naa(),
                            {.code_set = 1, .association = 1, .type = DesignatorType::relative_target_port,
                             .value = {0, 0, 0, 1}}}}));
  seed("inquiry-lio-3pc", standard_inquiry,
       encode_standard_inquiry({.third_party_copy = true, .vendor = "LIO-ORG", .product = "lun0", .revision = "4.0"}));
  seed("vpd8f-full", third_party_copy_vpd,
       encode_third_party_copy_vpd(
           {.rod_token_limits = RodTokenLimits{.max_range_descriptors = 8, .max_inactivity_timeout_s = 60,
                                               .default_inactivity_timeout_s = 30,
                                               .max_token_transfer_blocks = 524288,
                                               .optimal_transfer_blocks = 65536},
            .supported_commands = {{.opcode = 0x83, .service_actions = {0x00, 0x10, 0x11, 0x1C}},
                                   {.opcode = 0x84, .service_actions = {0x00, 0x03, 0x04, 0x07}}},
            .parameter_data = ParameterDataLimits{.max_cscd_descriptors = 2, .max_segment_descriptors = 1,
                                                  .max_descriptor_list_length = 1024},
            .general = GeneralCopyOperations{.total_concurrent_copies = 1, .max_identified_concurrent_copies = 1,
                                             .max_segment_length = 0x10000000,
                                             .data_segment_granularity_log2 = 9},
            .other = {{.type = 0x0102, .body = {1, 2, 3, 4}}}}));

  ExtendedCopyList xcopy{.list_id_usage = 3,
                         .targets = {identification_descriptor(lio_naa(), 512), identification_descriptor(lio_naa(), 512)},
                         .segments = {{.source_index = 0, .destination_index = 1, .blocks = 65535,
                                       .source_lba = 0, .destination_lba = 1 << 20}}};
  xcopy.targets[1].designator.value.back() = 1;
  seed("xcopy-lid1-one-segment", extended_copy, encode_extended_copy(xcopy));
  std::printf("wrote %d seeds to %s\n", written, out_dir.c_str());
  return 0;
}
