// The kernel action behind an s4u activity just started, for the models that
// steer it through SimGrid 3.32's public kernel resource API
// (simgrid/kernel/resource/Action.hpp): a weighted flow's penalty and bound
// (models/weighted_flow.hpp).
#pragma once

#include <algorithm>

#include <simgrid/kernel/resource/Action.hpp>
#include <simgrid/kernel/resource/Model.hpp>
#include <simgrid/s4u.hpp>

namespace offload::models {

/// The kernel action of `activity`, started a moment ago, or nullptr.
/// SimGrid appends each new action to its model's started set, and the
/// activities other actors start in the same instant follow it, so each
/// set is searched from its end; `hint` (the model the caller's last one
/// was found in, kept by the caller across calls of one simulation) first.
inline simgrid::kernel::resource::Action* started_action_of(const simgrid::s4u::Activity& activity,
                                                            simgrid::kernel::resource::Model*& hint) {
  auto search = [&activity](simgrid::kernel::resource::Model* model) -> simgrid::kernel::resource::Action* {
    auto* started = model->get_started_action_set();
    for (auto it = started->rbegin(); it != started->rend(); ++it) {
      if (it->get_activity() == activity.get_impl()) return &*it;
    }
    return nullptr;
  };
  const auto& models = simgrid::s4u::Engine::get_instance()->get_all_models();
  if (hint != nullptr && std::find(models.begin(), models.end(), hint) != models.end()) {
    if (auto* found = search(hint)) return found;
  }
  for (auto* model : models) {
    if (auto* found = search(model)) {
      hint = model;
      return found;
    }
  }
  return nullptr;
}

}  // namespace offload::models
