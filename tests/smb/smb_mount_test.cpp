// The SMB words the engine adds to a refused offload on a cifs mount.
#include <gtest/gtest.h>

#include <cerrno>

#include "engine/targets/smb_mount.hpp"

namespace offload {
namespace {

TEST(SmbMount, FilesystemNames) {
  EXPECT_TRUE(is_smb_filesystem("cifs"));
  EXPECT_TRUE(is_smb_filesystem("smb2"));
  EXPECT_FALSE(is_smb_filesystem("nfs"));
  EXPECT_FALSE(is_smb_filesystem(""));
}

TEST(SmbMount, RequestPerMethod) {
  EXPECT_EQ(smb_request_of(Method::kernel_copy), "FSCTL_SRV_COPYCHUNK_WRITE");
  EXPECT_EQ(smb_request_of(Method::clone), "FSCTL_DUPLICATE_EXTENTS_TO_FILE");
  EXPECT_EQ(smb_request_of(Method::host), "");
  EXPECT_EQ(smb_refusal(Method::host, EXDEV, false), "");
}

TEST(SmbMount, CloneRefusals) {
  EXPECT_NE(smb_refusal(Method::clone, EXDEV, false).find("cross-share"), std::string::npos);
  for (int err : {EOPNOTSUPP, EINVAL}) {
    EXPECT_NE(smb_refusal(Method::clone, err, true).find("SMB server refused FSCTL_DUPLICATE_EXTENTS_TO_FILE"),
              std::string::npos);
  }
  EXPECT_EQ(smb_refusal(Method::clone, ENOSPC, true), "");  // not a refusal: the error says it all
}

TEST(SmbMount, CopychunkRefusals) {
  std::string cross = smb_refusal(Method::kernel_copy, EXDEV, false);
  EXPECT_NE(cross.find("cross-share/cross-server"), std::string::npos) << cross;
  EXPECT_NE(cross.find("one SMB session"), std::string::npos) << cross;
  EXPECT_EQ(smb_refusal(Method::kernel_copy, EXDEV, true).find("cross-share"), std::string::npos);
  EXPECT_NE(smb_refusal(Method::kernel_copy, EINVAL, true).find("limits"), std::string::npos);
  EXPECT_NE(smb_refusal(Method::kernel_copy, EOPNOTSUPP, true).find("SMB server refused FSCTL_SRV_COPYCHUNK_WRITE"),
            std::string::npos);
  EXPECT_EQ(smb_refusal(Method::kernel_copy, EIO, true), "");
}

}  // namespace
}  // namespace offload
