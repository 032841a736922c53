#include "engine/types.hpp"

#include "engine/ladder.hpp"

#include <cerrno>
#include <cstring>

namespace offload {

std::string_view method_name(Method method) {
  switch (method) {
    case Method::clone: return "clone";
    case Method::scsi_xcopy: return "scsi-xcopy";
    case Method::scsi_odx: return "scsi-odx";
    case Method::nvme_copy: return "nvme-copy";
    case Method::kernel_copy: return "kernel-copy";
    case Method::host: return "host";
  }
  return "?";
}

std::string_view method_choice_name(MethodChoice choice) {
  switch (choice) {
    case MethodChoice::automatic: return "auto";
    case MethodChoice::clone: return "clone";
    case MethodChoice::scsi_xcopy: return "scsi-xcopy";
    case MethodChoice::scsi_odx: return "scsi-odx";
    case MethodChoice::nvme_copy: return "nvme-copy";
    case MethodChoice::kernel_copy: return "kernel-copy";
    case MethodChoice::host: return "host";
  }
  return "?";
}

bool is_device_method(Method method) {
  return method == Method::scsi_xcopy || method == Method::scsi_odx || method == Method::nvme_copy;
}

namespace {
constexpr MethodChoice kChoices[] = {MethodChoice::automatic, MethodChoice::clone,     MethodChoice::scsi_xcopy,
                                     MethodChoice::scsi_odx,  MethodChoice::nvme_copy, MethodChoice::kernel_copy,
                                     MethodChoice::host};
}  // namespace

std::optional<MethodChoice> parse_method_choice(std::string_view text) {
  for (auto choice : kChoices) {
    if (text == method_choice_name(choice)) return choice;
  }
  return std::nullopt;
}

std::vector<std::string> method_choice_names() {
  std::vector<std::string> names;
  for (auto choice : kChoices) names.emplace_back(method_choice_name(choice));
  return names;
}

std::vector<std::string> file_method_choice_names() {
  std::vector<std::string> names;
  for (auto choice : kChoices) {
    if (choice == MethodChoice::automatic || !is_device_method(ladder_for(choice).front())) {
      names.emplace_back(method_choice_name(choice));
    }
  }
  return names;
}

std::string method_choice_list() {
  std::string list;
  for (const auto& name : method_choice_names()) list += (list.empty() ? "" : ", ") + name;
  return list;
}

bool ranges_overlap(const ByteRange& a, const ByteRange& b) {
  if (a.length == 0 || b.length == 0) return false;
  return a.offset < b.end() && b.offset < a.end();
}

std::string_view state_name(CopyState state) {
  switch (state) {
    case CopyState::queued: return "queued";
    case CopyState::running: return "running";
    case CopyState::done: return "done";
    case CopyState::failed: return "failed";
    case CopyState::cancelled: return "cancelled";
  }
  return "?";
}

std::string_view destination_left_name(DestinationLeft left) {
  switch (left) {
    case DestinationLeft::unknown: return "unknown";
    case DestinationLeft::absent: return "absent";
    case DestinationLeft::unchanged: return "unchanged";
    case DestinationLeft::prefix: return "prefix";
    case DestinationLeft::range_partly_written: return "range_partly_written";
    case DestinationLeft::foreign: return "foreign";
  }
  return "?";
}

bool is_final(CopyState state) {
  return state == CopyState::done || state == CopyState::failed ||
         state == CopyState::cancelled;
}

std::string errno_name(int errno_value) {
  const char* name = strerrorname_np(errno_value);
  if (name != nullptr) return name;
  return "errno " + std::to_string(errno_value);
}

std::string CopyError::describe() const {
  std::string text = path.empty() ? message : path + ": " + message;
  if (errno_value != 0) text += " (" + errno_name(errno_value) + ")";
  return text;
}

std::vector<Method> CopyStatus::methods_used() const {
  std::vector<Method> used;
  for (std::size_t i = 0; i < kMethodCount; ++i) {
    if (bytes_by_method[i] > 0) used.push_back(static_cast<Method>(i));
  }
  return used;
}

std::string CopyStatus::methods_used_text() const {
  std::string text;
  for (Method method : methods_used()) {
    if (!text.empty()) text += "+";
    text += method_name(method);
  }
  return text.empty() ? "none" : text;
}

std::uint64_t host_bytes_not_moved(const CopyStatus& status) {
  return status.bytes_done - status.bytes_by_method[static_cast<std::size_t>(Method::host)];
}

}  // namespace offload
