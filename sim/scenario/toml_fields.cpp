#include "sim/scenario/toml_fields.hpp"

#include "engine/units.hpp"

namespace offload::sim::scenario_toml {

std::string where(const Value& v) {
  auto location = v.location();
  return location.file_name() + ":" + std::to_string(location.line());
}

[[noreturn]] void fail_at(const Value& v, const std::string& what) { throw ScenarioError(where(v) + ": " + what); }

Fields::Fields(const Value& table, std::string context) : table_(table), context_(std::move(context)) {
  if (!table_.is_table()) fail_at(table_, context_ + " must be a table");
}

const Value* Fields::find(const std::string& key) {
  known_.insert(key);
  const auto& t = table_.as_table();
  auto it = t.find(key);
  return it == t.end() ? nullptr : &it->second;
}

const Value& Fields::need(const std::string& key) {
  const Value* v = find(key);
  if (v == nullptr) fail_at(table_, context_ + ": missing key '" + key + "'");
  return *v;
}

void Fields::bad(const Value& v, const std::string& key, const std::string& what) {
  fail_at(v, context_ + ": key '" + key + "': " + what);
}

std::string Fields::text(const std::string& key, std::optional<std::string> fallback) {
  const Value* v = fallback ? find(key) : &need(key);
  if (v == nullptr) return *fallback;
  if (!v->is_string()) bad(*v, key, "expected a string");
  return v->as_string().str;
}

std::int64_t Fields::integer(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const Value* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_integer()) bad(*v, key, "expected an integer");
  std::int64_t n = v->as_integer();
  if (n < min || n > max) bad(*v, key, std::to_string(n) + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return n;
}

bool Fields::flag(const std::string& key, bool fallback) {
  const Value* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) bad(*v, key, "expected true or false");
  return v->as_boolean();
}

std::optional<double> Fields::size(const std::string& key) {
  auto bytes = quantity(key, parse_size_bytes, "size");
  if (bytes && *bytes > 1.8e19) bad(*find(key), key, "a size must be below 2^64 bytes");
  return bytes;
}

std::optional<double> Fields::rate(const std::string& key) {
  auto rate = quantity(key, parse_rate_Bps, "rate");
  if (rate && *rate <= 0) bad(*find(key), key, "a rate must be above zero");
  return rate;
}

std::optional<double> Fields::duration(const std::string& key) { return quantity(key, parse_duration_s, "duration"); }

std::vector<std::string> Fields::texts(const std::string& key) {
  const Value& v = need(key);
  if (!v.is_array()) bad(v, key, "expected an array of strings");
  std::vector<std::string> out;
  for (const Value& item : v.as_array()) {
    if (!item.is_string()) bad(item, key, "expected an array of strings");
    out.push_back(item.as_string().str);
  }
  return out;
}

void Fields::reject_unknown() {
  for (const auto& [key, value] : table_.as_table()) {
    if (known_.contains(key)) continue;
    std::string list;
    for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
    fail_at(value, context_ + ": unknown key '" + key + "' (known: " + list + ")");
  }
}

std::string context_for(const char* section, const Value& item, std::size_t index) {
  std::string name;
  if (item.is_table() && item.as_table().contains("name") && item.as_table().at("name").is_string()) {
    name = " '" + item.as_table().at("name").as_string().str + "'";
  }
  return std::string("[[") + section + "]] #" + std::to_string(index + 1) + name;
}

const toml::array* array_of_tables(const Value& root, const char* key) {
  const auto& t = root.as_table();
  auto it = t.find(key);
  if (it == t.end()) return nullptr;
  if (!it->second.is_array()) fail_at(it->second, std::string("'") + key + "' must be an array of tables ([[" + key + "]])");
  return &it->second.as_array();
}

}  // namespace offload::sim::scenario_toml
