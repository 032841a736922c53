// Files a command makes for itself and removes however it ends (done, an
// error, a stop signal): the source files, the temporary directory and the
// output files of `offload compare` and `offload calibrate`.
#pragma once

#include <string>
#include <vector>

namespace offload::cli {

/// A new, private directory under $TMPDIR (default /tmp), removed with
/// everything in it when the scope ends.
class ScratchDirectory {
 public:
  /// Makes "TMPDIR/offload-PURPOSE-XXXXXX"; throws std::runtime_error naming
  /// the path and the cause when it cannot.
  explicit ScratchDirectory(const std::string& purpose);
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  /// The directory's path.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Unlinks a file when the scope ends (missing is fine).
class RemoveOnExit {
 public:
  /// Takes charge of `path`.
  explicit RemoveOnExit(std::string path) : path_(std::move(path)) {}
  ~RemoveOnExit();
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;
  /// The file's path.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A command's output files in one directory, complete or absent: each is
/// written under a staging name (".partial-NAME") and renamed to NAME by
/// publish(), after the last one is complete. Without publish() (an error, a
/// stop signal) the staged and temporary files are removed, and the
/// directory too when this object made it and it is empty.
class OutputFiles {
 public:
  /// Makes `directory` (and its parents) when missing.
  explicit OutputFiles(std::string directory);
  ~OutputFiles();
  OutputFiles(const OutputFiles&) = delete;
  OutputFiles& operator=(const OutputFiles&) = delete;
  /// Where NAME is written until publish().
  std::string stage(const std::string& name);
  /// A working file NAME, removed however the run ends.
  std::string temporary(const std::string& name);
  /// Renames every staged file to its final name.
  void publish();

 private:
  [[nodiscard]] std::string staging_path(const std::string& name) const;
  std::string directory_;
  bool made_;
  bool published_ = false;
  std::vector<std::string> staged_;
  std::vector<std::string> temporary_;
};

}  // namespace offload::cli
