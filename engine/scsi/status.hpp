// SCSI status codes (SAM-5 5.3): the byte a device server
// returns when a command ends. CHECK CONDITION means sense data follows
// (engine/scsi/sense.hpp); engine/scsi/sense_errno.hpp maps both to errno.
// The one definition for the engine's transports and the simulated array.
#pragma once

#include <cstdint>
#include <string_view>

namespace offload::scsi::status {

inline constexpr std::uint8_t good = 0x00;                  ///< GOOD
inline constexpr std::uint8_t check_condition = 0x02;       ///< CHECK CONDITION (sense data follows)
inline constexpr std::uint8_t condition_met = 0x04;         ///< CONDITION MET
inline constexpr std::uint8_t busy = 0x08;                  ///< BUSY
inline constexpr std::uint8_t reservation_conflict = 0x18;  ///< RESERVATION CONFLICT
inline constexpr std::uint8_t task_set_full = 0x28;         ///< TASK SET FULL
inline constexpr std::uint8_t aca_active = 0x30;            ///< ACA ACTIVE
inline constexpr std::uint8_t task_aborted = 0x40;          ///< TASK ABORTED

/// Name of a status byte ("GOOD", "CHECK CONDITION", ...), "" for a value SAM-5 does not define.
constexpr std::string_view name(int value) {
  switch (value) {
    case good: return "GOOD";
    case check_condition: return "CHECK CONDITION";
    case condition_met: return "CONDITION MET";
    case busy: return "BUSY";
    case reservation_conflict: return "RESERVATION CONFLICT";
    case task_set_full: return "TASK SET FULL";
    case aca_active: return "ACA ACTIVE";
    case task_aborted: return "TASK ABORTED";
    default: return "";
  }
}

}  // namespace offload::scsi::status
