#include "cli/scratch_directory.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace offload::cli {

ScratchDirectory::ScratchDirectory(const std::string& purpose) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string base = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  std::string pattern = base + "/offload-" + purpose + "-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (mkdtemp(name.data()) == nullptr) {
    throw std::runtime_error(pattern + ": cannot make a temporary directory: " + std::strerror(errno) +
                             " (set TMPDIR, or give --dir)");
  }
  path_ = name.data();
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;  // best effort: a destructor reports nothing
  std::filesystem::remove_all(path_, ignored);
}

RemoveOnExit::~RemoveOnExit() { unlink(path_.c_str()); }

OutputFiles::OutputFiles(std::string directory)
    : directory_(std::move(directory)), made_(!std::filesystem::exists(directory_)) {
  std::filesystem::create_directories(directory_);
}

OutputFiles::~OutputFiles() {
  std::error_code ignored;  // best effort: a destructor reports nothing
  for (const auto& name : temporary_) std::filesystem::remove(directory_ + "/" + name, ignored);
  if (published_) return;
  for (const auto& name : staged_) std::filesystem::remove(staging_path(name), ignored);
  if (made_) std::filesystem::remove(directory_, ignored);  // fails, as meant, when not empty
}

std::string OutputFiles::stage(const std::string& name) {
  if (std::find(staged_.begin(), staged_.end(), name) == staged_.end()) staged_.push_back(name);
  return staging_path(name);
}

std::string OutputFiles::temporary(const std::string& name) {
  temporary_.push_back(name);
  return directory_ + "/" + name;
}

void OutputFiles::publish() {
  for (const auto& name : staged_) std::filesystem::rename(staging_path(name), directory_ + "/" + name);
  published_ = true;
}

std::string OutputFiles::staging_path(const std::string& name) const { return directory_ + "/.partial-" + name; }

}  // namespace offload::cli
