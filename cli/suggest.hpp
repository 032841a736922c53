// "Did you mean" for a mistyped subcommand name.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace offload::cli {

/// Edits (insert, delete, substitute one character, or swap two adjacent
/// ones) that turn `a` into `b`: the optimal string alignment distance.
std::size_t edit_distance(const std::string& a, const std::string& b);

/// "did you mean 'NAME'?" for the nearest of `names` when it is close (at
/// most 2 edits, fewer than the typed word's length, or `typed` starts it),
/// else "commands: A, B, C".
std::string suggestion(const std::string& typed, const std::vector<std::string>& names);

}  // namespace offload::cli
