// A message between two simulated hosts sent without an actor (a streamed
// copy's RPCs, models/nfs_server_stream.cpp): what Network::send does for
// an actor, with a callback instead of a blocking wait. Its transfer is a
// share of its route's weighted flow (models/stream_wire.hpp: it ends when
// its own comm would, as the flow's tests check), followed from the kernel;
// its stack work at both ends is queued on the connection's lanes, as a
// Transfer's is, and waited for after it arrived. A link of the route that
// goes down under it sends it again, whole, once the route is up (counted
// as the network's retries and in the copy's tally), as Transfer::resend.
#pragma once

#include <functional>

#include <simgrid/s4u.hpp>

#include "models/network.hpp"

namespace offload::models {

/// Sends `bytes` from `from` to `to` (both with a route between them);
/// `done` runs in the kernel once they arrived and both stacks processed
/// them. `tally`: the copy whose resends it counts (nullptr: none).
void send_detached(Network& network, sg4::Host* from, sg4::Host* to, double bytes, FaultTally* tally,
                   std::function<void()> done);

}  // namespace offload::models
