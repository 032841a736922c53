// The TOML side of the scenario loader (toml11 3.7): typed getters that name
// the file, the line and the key in every error, and the one loop every
// section reader runs in over an array of tables ([[host]], [[copy]], ...).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <toml.hpp>

#include "sim/scenario/scenario.hpp"

namespace offload::sim::scenario_toml {

using Value = toml::value;

/// "FILE:LINE" of `v`.
std::string where(const Value& v);

/// Throws ScenarioError "FILE:LINE: what" at `v`.
[[noreturn]] void fail_at(const Value& v, const std::string& what);

/// One TOML table being read: typed getters that name the key on error, and
/// a final check that every key was known.
class Fields {
 public:
  /// `context` names the table in messages ("[[host]] #1 'vm'"); throws when `table` is not a table.
  Fields(const Value& table, std::string context);

  /// The value of `key` (nullptr when absent); marks `key` known.
  const Value* find(const std::string& key);
  /// The value of `key`; throws when absent.
  const Value& need(const std::string& key);
  /// Throws "FILE:LINE: context: key 'KEY': what" at `v`.
  [[noreturn]] void bad(const Value& v, const std::string& key, const std::string& what);

  /// A string; without `fallback` the key is required.
  std::string text(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  /// An integer in [min, max], `fallback` when absent.
  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max);
  /// true or false, `fallback` when absent.
  bool flag(const std::string& key, bool fallback);
  /// A quantity written as a string with a unit (or a bare number in base units).
  /// Bare numbers get the checks the unit parsers make: finite, not negative
  /// (rates above zero), sizes below 2^64.
  template <typename Parse>
  std::optional<double> quantity(const std::string& key, Parse parse, const char* kind) {
    const Value* v = find(key);
    if (v == nullptr) return std::nullopt;
    double number = 0;
    if (v->is_integer()) {
      number = static_cast<double>(v->as_integer());
    } else if (v->is_floating()) {
      number = v->as_floating();
    } else {
      if (!v->is_string()) bad(*v, key, std::string("expected a ") + kind + " string");
      auto parsed = parse(v->as_string().str);
      if (!parsed) bad(*v, key, parsed.error());
      return static_cast<double>(*parsed);
    }
    if (!std::isfinite(number) || number < 0) bad(*v, key, std::string("a ") + kind + " must be a finite number, not negative");
    return number;
  }
  /// Bytes ("4MiB"), below 2^64.
  std::optional<double> size(const std::string& key);
  /// Bytes per second ("10Gbps"), above zero.
  std::optional<double> rate(const std::string& key);
  /// Seconds ("80us").
  std::optional<double> duration(const std::string& key);
  /// A required array of strings.
  std::vector<std::string> texts(const std::string& key);

  /// Throws for the first key no getter asked for, listing the known ones.
  void reject_unknown();

 private:
  const Value& table_;
  std::string context_;
  std::set<std::string> known_;
};

/// "[[SECTION]] #N 'NAME'" for the `index`-th (from 0) entry of an array of tables.
std::string context_for(const char* section, const Value& item, std::size_t index);

/// The array of tables `key` of `root` (nullptr when absent); throws when it is not one.
const toml::array* array_of_tables(const Value& root, const char* key);

/// One entry of an array of tables, as its reader sees it.
struct Entry {
  std::string context;  ///< names it in messages ("[[host]] #2 'vm'")
  int line = 0;         ///< line of its declaration
};

/// Reads each table of the array `section` of `root` with `read(fields,
/// entry)`, rejects the keys `read` did not ask for and appends the result
/// to `out`. `section` is a known key of `top` when present; no array, no
/// entries.
template <typename Spec, typename Read>
void read_entries(const Value& root, Fields& top, const char* section, std::vector<Spec>& out, Read read) {
  const toml::array* items = array_of_tables(root, section);
  if (items == nullptr) return;
  top.find(section);
  for (std::size_t i = 0; i < items->size(); ++i) {
    const Value& item = (*items)[i];
    Entry entry{context_for(section, item, i), static_cast<int>(item.location().line())};
    Fields f(item, entry.context);
    Spec spec = read(f, entry);
    f.reject_unknown();
    out.push_back(std::move(spec));
  }
}

}  // namespace offload::sim::scenario_toml
