// The pybind11 module `_offloadsim`: the coarse API only. `Engine` copies real
// files, LUNs and NVMe namespaces (RealRuntime + AddressRouter +
// offload::Engine) and returns status as dicts (engine/status_json.hpp);
// `validate_scenario` checks scenario TOML text and plans its runs;
// `sweep_key_path`, `write_results` and `unit_scales` are the C++ sweep-key
// resolver, results writer and unit table, so the package keeps no copies
// of its own. Simulations never run here (one per process):
// offloadsim/scenario.py starts `offload sim`.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "engine/engine.hpp"
#include "engine/op_gate.hpp"
#include "engine/real_runtime.hpp"
#include "engine/status_json.hpp"
#include "engine/targets/address_router.hpp"
#include "engine/units.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace py = pybind11;

namespace {

/// offloadsim.OffloadError (an OSError subclass), set up at import.
py::handle offload_error_type;

/// Raises OffloadError(errno, message, path): .errno, .strerror, .filename.
[[noreturn]] void raise_offload_error(const offload::CopyError& e) {
  py::tuple args = py::make_tuple(e.errno_value, e.message, e.path);
  PyErr_SetObject(offload_error_type.ptr(), args.ptr());
  throw py::error_already_set();
}

/// A JSON value as the Python object json.loads gives (integers stay exact).
py::object to_python(const nlohmann::json& value) {
  return py::module_::import("json").attr("loads")(value.dump());
}

/// A Python value (dicts, lists, numbers, strings) as JSON, through json.dumps.
nlohmann::json from_python(const py::handle& value) {
  return nlohmann::json::parse(py::module_::import("json").attr("dumps")(value).cast<std::string>());
}

/// The real engine with its own worker threads and POSIX file targets.
class PyEngine {
 public:
  /// `queue_depth` operations in flight (also the worker threads), `copy_depth`
  /// per copy (0 = queue_depth), `host_chunk` bytes per host read/write.
  PyEngine(std::uint32_t queue_depth, std::uint32_t copy_depth, std::uint64_t host_chunk)
      : runtime_(queue_depth == 0 ? 1 : queue_depth),
        engine_(std::make_unique<offload::Engine>(
            runtime_, targets_,
            offload::EngineConfig{.queue_depth = queue_depth, .copy_depth = copy_depth, .host_chunk_bytes = host_chunk})) {}

  /// Claims the destination and queues the copy; returns the cookie id.
  std::uint64_t submit(const std::string& source, const std::string& destination, const std::string& method,
                       bool atomic, bool overwrite, std::uint64_t source_offset, std::uint64_t destination_offset,
                       std::optional<std::uint64_t> length) {
    auto choice = offload::parse_method_choice(method);
    if (!choice) throw py::value_error("unknown method '" + method + "' (" + offload::method_choice_list() + ")");
    offload::CopyRequest request{.source = source, .destination = destination, .source_offset = source_offset,
                                 .destination_offset = destination_offset, .length = length, .method = *choice,
                                 .overwrite = overwrite, .atomic = atomic};
    auto& eng = engine();
    submitted_ = true;
    std::expected<offload::Cookie, offload::CopyError> cookie;
    {
      py::gil_scoped_release release;
      cookie = eng.submit(request);
    }
    if (!cookie) raise_offload_error(cookie.error());
    requests_[cookie->id] = request;
    return cookie->id;
  }

  /// Status snapshot of a copy: the dict of `offload cp --json` (engine/status_json.hpp).
  py::object poll(std::uint64_t cookie) const {
    auto status = engine().poll({cookie});
    if (!status) throw py::key_error("unknown cookie " + std::to_string(cookie));
    return status_dict(cookie, *status, runtime_.now_ns());
  }

  /// Waits (GIL released) until the copy ends or `timeout` seconds pass.
  py::object wait(std::uint64_t cookie, std::optional<double> timeout) {
    std::optional<offload::CopyStatus> status;
    offload::TimeNs now = 0;
    auto& eng = engine();
    {
      py::gil_scoped_release release;
      std::optional<offload::TimeNs> timeout_ns;
      if (timeout) timeout_ns = static_cast<offload::TimeNs>(*timeout * 1e9);
      status = eng.wait({cookie}, timeout_ns);
      now = runtime_.now_ns();
    }
    if (!status) throw py::key_error("unknown cookie " + std::to_string(cookie));
    return status_dict(cookie, *status, now);
  }

  /// Asks a copy to stop; false when it already ended.
  bool cancel(std::uint64_t cookie) { return engine().cancel({cookie}); }
  /// Forgets an ended copy; false when unknown or still running.
  bool release(std::uint64_t cookie) {
    if (!engine().release({cookie})) return false;
    requests_.erase(cookie);
    return true;
  }
  /// Copies not yet ended.
  std::size_t active() const { return engine().active(); }

  /// Test hook (engine/op_gate.hpp): from the next operation on, lets
  /// `ops_before` operations run, then holds the rest until _release().
  /// Before the first submit only.
  void hold_after(std::uint64_t ops_before) {
    if (submitted_) throw std::runtime_error("_hold_after: call it before the first submit");
    gate_.hold_at(offload::HoldPoint{.ops_before = ops_before});
    runtime_.set_gate(&gate_);
  }
  /// Test hook: waits (GIL released) until an operation is held; False after `timeout` seconds.
  bool wait_held(double timeout) {
    py::gil_scoped_release release;
    return gate_.wait_held(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(timeout)));
  }
  /// Test hook: lets held operations go; the gate holds nothing more.
  void release_hold() { gate_.release(); }

  /// Cancels what still runs and waits for it (GIL released).
  void close() {
    py::gil_scoped_release release;
    gate_.release();  // the engine waits for held operations
    engine_.reset();
  }

  /// Same as close(), with the GIL held (the workers never take it).
  ~PyEngine() {
    gate_.release();
    engine_.reset();
  }

 private:
  /// The engine; RuntimeError after close().
  offload::Engine& engine() const {
    if (!engine_) throw std::runtime_error("the engine is closed");
    return *engine_;
  }

  /// The status as a dict with the request the copy was submitted with.
  py::object status_dict(std::uint64_t cookie, const offload::CopyStatus& status, offload::TimeNs now_ns) const {
    return to_python(offload::status_json(status, requests_.at(cookie), now_ns));
  }

  offload::OpGate gate_;  // declared before the runtime: outlives its workers
  bool submitted_ = false;
  mutable offload::RealRuntime runtime_;
  offload::AddressRouter targets_;  // files, LUNs or NVMe namespaces, as `offload cp` opens them
  std::map<std::uint64_t, offload::CopyRequest> requests_;  // by cookie, until released (GIL held)
  std::unique_ptr<offload::Engine> engine_;  // declared last: destroyed first
};

/// Loads scenario TOML `text` (`name` stands for the file in messages) and
/// summarises it; raises ScenarioError with "NAME:LINE: ..." when it is bad.
py::dict validate_scenario(const std::string& text, const std::string& name) {
  auto set = offload::sim::load_scenario_text(text, name);
  const auto& first = set.points.front();
  py::dict d;
  d["name"] = first.name;
  d["description"] = first.description;
  d["network_model"] = first.network_model;
  d["points"] = set.points.size();
  d["sweep_keys"] = set.sweep_keys;
  py::list methods;
  for (const auto& m : first.methods) methods.append(m.label);
  d["methods"] = methods;
  py::list plan;  // a sweep over scenario.methods changes the list per point
  for (const auto& run : offload::sim::plan_runs(set)) plan.append(py::make_tuple(run.point, run.method, run.label));
  d["runs"] = plan.size();
  d["plan"] = plan;
  py::list values;
  for (const auto& p : set.points) values.append(py::cast(p.point));
  d["point_values"] = values;
  return d;
}

/// The steps to the value a sweep key names, as a list of str (table keys)
/// and int (index into an array of tables); the field last.
py::list sweep_key_path(const std::string& text, const std::string& name, const std::string& key) {
  py::list path;
  for (const auto& step : offload::sim::sweep_key_path(text, name, key)) {
    if (std::holds_alternative<std::size_t>(step)) path.append(std::get<std::size_t>(step));
    else path.append(std::get<std::string>(step));
  }
  return path;
}

/// [(suffix, scale, base), ...]: every unit of the scenario quantities.
py::list unit_scales() {
  py::list units;
  for (const auto& u : offload::unit_scales()) units.append(py::make_tuple(std::string(u.suffix), u.scale, std::string(u.base)));
  return units;
}

}  // namespace

PYBIND11_MODULE(_offloadsim, m) {
  m.doc() = "offloadsim native part: the real copy engine and the scenario validator";
  static py::exception<offload::sim::ScenarioError> scenario_error(m, "ScenarioError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const offload::sim::ScenarioError& e) {
      scenario_error(e.what());
    }
  });
  static py::exception<offload::CopyError> offload_error(m, "OffloadError", PyExc_OSError);
  offload_error_type = offload_error;

  py::class_<PyEngine>(m, "Engine", "The real copy-offload engine on this machine's files.")
      .def(py::init<std::uint32_t, std::uint32_t, std::uint64_t>(), py::arg("queue_depth") = 8,
           py::arg("copy_depth") = 2, py::arg("host_chunk") = 4ULL << 20)
      .def("submit", &PyEngine::submit, py::arg("source"), py::arg("destination"), py::arg("method") = "auto",
           py::arg("atomic") = false, py::arg("overwrite") = false, py::arg("source_offset") = 0,
           py::arg("destination_offset") = 0, py::arg("length") = py::none(),
           "Queue a copy; returns its cookie. Raises OffloadError (errno, filename) at once on bad input.")
      .def("poll", &PyEngine::poll, py::arg("cookie"), "Status dict of a copy.")
      .def("wait", &PyEngine::wait, py::arg("cookie"), py::arg("timeout") = py::none(),
           "Wait (GIL released) until the copy ends or timeout seconds pass; returns the status dict.")
      .def("cancel", &PyEngine::cancel, py::arg("cookie"), "Ask a copy to stop; False when it already ended.")
      .def("release", &PyEngine::release, py::arg("cookie"), "Forget an ended copy's status.")
      .def("active", &PyEngine::active, "Copies not yet ended.")
      .def("close", &PyEngine::close, "Cancel what still runs and stop the engine.")
      .def("_hold_after", &PyEngine::hold_after, py::arg("ops_before"),
           "Tests only: before the first submit, hold every operation after the first ops_before until _release().")
      .def("_wait_held", &PyEngine::wait_held, py::arg("timeout"),
           "Tests only: wait (GIL released) until an operation is held; False after timeout seconds.")
      .def("_release", &PyEngine::release_hold, "Tests only: let held operations go.")
      .def("__enter__", [](PyEngine& e) -> PyEngine& { return e; }, py::return_value_policy::reference)
      .def("__exit__", [](PyEngine& e, py::args) { e.close(); });

  m.def("validate_scenario", &validate_scenario, py::arg("text"), py::arg("name") = "<scenario>",
        "Validate scenario TOML text; returns a summary dict (with plan: [(point, method, label)] in `offload sim` "
        "order), raises ScenarioError naming file, line and key.");
  m.def("sweep_key_path", &sweep_key_path, py::arg("text"), py::arg("name"), py::arg("key"),
        "Where sweep key `key` points in scenario TOML `text`: [str table key or int array index, ..., field]. "
        "Raises ScenarioError naming the key and the cause when it names no table of the scenario.");
  m.def(
      "write_results",
      [](const py::list& records, const std::string& directory) {
        offload::sim::write_results(from_python(records), directory);
      },
      py::arg("records"), py::arg("directory"),
      "Write results.json, runs.csv and copies.csv of run records into `directory`, as `offload sim --out` does.");
  m.def("unit_scales", &unit_scales, "[(suffix, scale, base)]: the units of sizes (B), durations (s) and rates (B/s).");

  // The C++ number-printing rule, so tests can check offloadsim.report.units prints the same strings.
  py::module_ units = m.def_submodule("units", "engine/units.hpp's printing of numbers (the CLI's rule)");
  units.def("format_number", &offload::format_number, py::arg("value"));
  units.def("format_bytes", &offload::format_bytes, py::arg("bytes"));
  units.def("format_rate", &offload::format_rate, py::arg("bytes_per_s"));
  units.def("format_duration", &offload::format_duration, py::arg("seconds"));
  units.def("format_ratio", &offload::format_ratio, py::arg("ratio"));
  units.def("format_percent", &offload::format_percent, py::arg("fraction"));
  units.def("format_copy_speed", &offload::format_copy_speed, py::arg("bytes_per_s"), py::arg("seconds_per_copy"));
  units.def("toml_rate", &offload::toml_rate, py::arg("bytes_per_s"));
  units.def("toml_duration", &offload::toml_duration, py::arg("seconds"));
}
