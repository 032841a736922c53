// Identify Controller and Identify Namespace against the byte offsets of
// NVMe Base 2.0 (Figure 275: MDTS byte 77, ONCS 521:520, OCFS 535:534) and
// NVM Command Set 1.0 (Figure 97: NSZE 7:0, NLBAF 25, FLBAS 26, MSSRL 75:74,
// MCL 79:76, MSRC 80, LBAF0 at 131:128), built by hand byte by byte.
#include <gtest/gtest.h>

#include "engine/nvme/identify.hpp"
#include "tests/scsi/wire_check.hpp"

namespace offload::nvme {
namespace {

Bytes controller_bytes() {
  Bytes data(4096, 0);
  data[0] = 0xF4; data[1] = 0x1B;  // VID 1b f4 (little endian)
  std::string serial = "nvme-copy-1         ";
  std::copy(serial.begin(), serial.end(), data.begin() + 4);
  std::string model = "QEMU NVMe Ctrl";
  std::copy(model.begin(), model.end(), data.begin() + 24);
  std::fill(data.begin() + 24 + static_cast<std::ptrdiff_t>(model.size()), data.begin() + 64, ' ');
  data[77] = 7;                      // MDTS: 2^7 pages
  data[520] = 0x5F; data[521] = 0x01; // ONCS 015Fh: bit 8 Copy
  data[534] = 0x03;                  // OCFS: formats 0h and 1h
  return data;
}

Bytes namespace_bytes() {
  Bytes data(4096, 0);
  data[0] = 0x00; data[1] = 0x00; data[2] = 0x01;  // NSZE 10000h blocks
  data[25] = 1;                                    // NLBAF: two formats
  data[26] = 0x01;                                 // FLBAS: format 1
  data[74] = 0x80; data[75] = 0x00;                // MSSRL 128
  data[76] = 0x00; data[77] = 0x02;                // MCL 512
  data[80] = 0x03;                                 // MSRC 3: four ranges
  data[128 + 2] = 9;                               // LBAF0: 512 bytes
  data[132 + 2] = 12;                              // LBAF1: 4096 bytes, MS 0
  return data;
}

TEST(NvmeIdentify, ControllerFields) {
  auto decoded = decode_identify_controller(controller_bytes());
  ASSERT_TRUE(decoded) << scsi::test::error_text(decoded);
  EXPECT_EQ(decoded->vendor_id, 0x1BF4);
  EXPECT_EQ(decoded->serial, "nvme-copy-1");
  EXPECT_EQ(decoded->model, "QEMU NVMe Ctrl");
  EXPECT_EQ(decoded->mdts, 7);
  EXPECT_EQ(decoded->oncs, 0x015F);
  EXPECT_TRUE(decoded->copy_supported());
  EXPECT_EQ(decoded->ocfs, 3);
  EXPECT_EQ(encode_identify_controller(*decoded), controller_bytes());
}

TEST(NvmeIdentify, OncsBit8AloneSaysCopy) {
  Bytes data = controller_bytes();
  data[521] = 0x00;
  EXPECT_FALSE(decode_identify_controller(data)->copy_supported());
  data[520] = 0x00; data[521] = 0x01;
  EXPECT_TRUE(decode_identify_controller(data)->copy_supported());
}

TEST(NvmeIdentify, NamespaceFieldsOfTheFormatInUse) {
  auto decoded = decode_identify_namespace(namespace_bytes());
  ASSERT_TRUE(decoded) << scsi::test::error_text(decoded);
  EXPECT_EQ(decoded->size_blocks, 0x10000U);
  EXPECT_EQ(decoded->format_index, 1);
  EXPECT_EQ(decoded->block_bytes(), 4096U);
  EXPECT_EQ(decoded->metadata_bytes, 0);
  EXPECT_EQ(decoded->mssrl, 128);
  EXPECT_EQ(decoded->mcl, 512U);
  EXPECT_EQ(decoded->msrc, 3);
  EXPECT_EQ(decoded->max_ranges(), 4U);
  EXPECT_EQ(decode_identify_namespace(encode_identify_namespace(*decoded)).operator*(), *decoded);
}

TEST(NvmeIdentify, FlbasHighBitsSelectFormatsAbove15) {
  Bytes data = namespace_bytes();
  data[25] = 17;           // 18 formats
  data[26] = 0x20 | 0x01;  // FLBAS bits 6:5 = 1, bits 3:0 = 1: format 17
  data[128 + 17 * 4] = 8;  // LBAF17 MS 8
  data[128 + 17 * 4 + 2] = 12;
  auto decoded = decode_identify_namespace(data);
  ASSERT_TRUE(decoded) << scsi::test::error_text(decoded);
  EXPECT_EQ(decoded->format_index, 17);
  EXPECT_EQ(decoded->metadata_bytes, 8);
  EXPECT_EQ(decoded->block_bytes(), 4096U);
}

TEST(NvmeIdentify, RejectsAFormatNotListedOrOfImpossibleSize) {
  Bytes data = namespace_bytes();
  data[26] = 0x02;  // format 2, NLBAF says formats 0-1
  auto decoded = decode_identify_namespace(data);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().field, "FLBAS (byte 26)");
  data = namespace_bytes();
  data[132 + 2] = 8;  // 256-byte blocks
  decoded = decode_identify_namespace(data);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().message.find("2^8"), std::string::npos);
}

TEST(NvmeIdentify, ShortDataIsRejected) {
  Bytes data = namespace_bytes();
  data.resize(4095);
  EXPECT_FALSE(decode_identify_namespace(data));
  EXPECT_FALSE(decode_identify_controller(data));
  EXPECT_FALSE(decode_identify_controller(Bytes{}));
}

}  // namespace
}  // namespace offload::nvme
