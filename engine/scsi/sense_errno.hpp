// What a device's answer means for the copy engine: one errno per SCSI
// status and sense, chosen for what the engine's method ladder does with
// it (engine/engine.cpp, may_fall_back and disables_method). The same
// table serves every transport (iSCSI, SG_IO, the simulated array): they
// only deliver the status byte and the sense bytes.
//
// | answer (status / sense key, ASC/ASCQ)                              | errno      | engine                                 |
// |--------------------------------------------------------------------|------------|----------------------------------------|
// | ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20/00)            | EOPNOTSUPP | falls back; method off for the copy     |
// | ILLEGAL REQUEST, INVALID FIELD IN CDB (24/00)                      | EOPNOTSUPP | falls back; method off for the copy     |
// | COPY ABORTED, COPY TARGET DEVICE NOT REACHABLE (0D/02)             | EXDEV      | falls back; method off for the copy     |
// | ILLEGAL REQUEST, INVALID TOKEN OPERATION (23/xx: EXPIRED, UNKNOWN) | ESTALE     | falls back for that range               |
// | ILLEGAL REQUEST, any other (parameter list, segment count, LBA)    | EINVAL     | falls back for that range               |
// | COPY ABORTED, any other (THIRD PARTY DEVICE FAILURE 0D/01, ...)    | EREMOTEIO  | falls back for that range               |
// | DATA PROTECT, SPACE ALLOCATION FAILED WRITE PROTECT (27/07)        | ENOSPC     | fails the copy                          |
// | VOLUME OVERFLOW                                                    | ENOSPC     | fails the copy                          |
// | DATA PROTECT, any other (WRITE PROTECTED 27/00, ...)               | EROFS      | fails the copy                          |
// | BUSY, TASK SET FULL, RESERVATION CONFLICT (status bytes)           | EBUSY      | fails the copy                          |
// | MEDIUM ERROR, HARDWARE ERROR, NOT READY, ABORTED COMMAND, anything else | EIO   | fails the copy                          |
//
// Why: INVALID COMMAND OPERATION CODE is how a device says it lacks a
// command (SPC-4 4.5.6, ILLEGAL REQUEST); a THIRD-PARTY COPY OUT/IN
// service action it lacks is reported as INVALID FIELD IN CDB, since the
// service action is a CDB field (SPC-4 6.4, 6.18; SBC-3 POPULATE TOKEN,
// WRITE USING TOKEN): both say "the device does not offer this", and the
// host copy can do the work. A copy manager that cannot reach the other LUN
// (COPY TARGET DEVICE NOT REACHABLE) will not reach it for the next range
// either, but the host can. COPY ABORTED otherwise means a segment failed
// inside the array for the array's own reasons (SPC-4 4.5.6: "an EXTENDED
// COPY ... was aborted due to an error condition on the source device, the
// destination device, or both"); the host copy of that range may still
// succeed, and if the source block is really unreadable the host READ
// fails with MEDIUM ERROR, which fails the copy. A token refused as
// expired or unknown (SPC-4 Annex D, 23/xx) is one range's bad luck.
// Other ILLEGAL REQUESTs name a field of this one request (a segment
// beyond the array's limits). MEDIUM and HARDWARE ERROR on the data path
// are the device's failure and fail the copy. Thin-provisioned space
// exhaustion (SBC-3 4.7, logical block provisioning; 27/07) is ENOSPC as a full filesystem is (Linux's
// SCSI midlayer, drivers/scsi/scsi_lib.c, does the same). UNIT ATTENTION
// is retried by the transports (engine/targets/scsi_transport.hpp) before
// it gets here; one that persists is EIO.
#pragma once

#include "engine/scsi/sense.hpp"

namespace offload::scsi {

/// errno for a CHECK CONDITION with this sense (table above; never 0).
int errno_for(const Sense& sense);

/// errno for a status byte other than GOOD and CHECK CONDITION (EBUSY or EIO);
/// for CHECK CONDITION without sense data, EIO.
int errno_for_status(int status);

}  // namespace offload::scsi
