#include "models/nfs_wire.hpp"

namespace offload::models {
namespace {

constexpr double kRecordMark = 4;
constexpr double kCallHeader = 76;   // RPC call header with AUTH_SYS
constexpr double kReplyHeader = 24;  // accepted reply header
constexpr double kCompound = 12;     // COMPOUND4args / COMPOUND4res header
constexpr double kCallPrefix = kRecordMark + kCallHeader + kCompound + 36 + 36;    // + SEQUENCE + PUTFH
constexpr double kReplyPrefix = kRecordMark + kReplyHeader + kCompound + 44 + 8;  // + their results
constexpr double kSaveFhPutFh = 4 + 36;                                            // SAVEFH, PUTFH (destination)
constexpr double kSaveFhPutFhReply = 8 + 8;

}  // namespace

double nfs_rpc_bytes(NfsRpc rpc, bool reply) {
  switch (rpc) {
    case NfsRpc::read: return reply ? kReplyPrefix + 16 : kCallPrefix + 32;
    case NfsRpc::write: return reply ? kReplyPrefix + 24 : kCallPrefix + 36;
    case NfsRpc::copy_sync: return reply ? kReplyPrefix + kSaveFhPutFhReply + 40 : kCallPrefix + kSaveFhPutFh + 72;
    case NfsRpc::copy_async: return reply ? kReplyPrefix + kSaveFhPutFhReply + 56 : kCallPrefix + kSaveFhPutFh + 72;
    case NfsRpc::offload_status: return reply ? kReplyPrefix + 24 : kCallPrefix + 20;
    case NfsRpc::offload_cancel: return reply ? kReplyPrefix + 8 : kCallPrefix + 20;
    case NfsRpc::clone: return reply ? kReplyPrefix + kSaveFhPutFhReply + 8 : kCallPrefix + kSaveFhPutFh + 60;
    case NfsRpc::copy_notify: return reply ? kReplyPrefix + 64 : kCallPrefix + 44;
    case NfsRpc::open: return reply ? kReplyPrefix + 232 : kCallPrefix + 112;
    case NfsRpc::close: return reply ? kReplyPrefix + 40 : kCallPrefix + 40;
    case NfsRpc::cb_offload: return reply ? kRecordMark + kReplyHeader + 60 : kRecordMark + kCallHeader + 16 + 40 + 80;
  }
  return 0;
}

}  // namespace offload::models
