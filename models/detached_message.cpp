#include "models/detached_message.hpp"

#include <memory>
#include <vector>

#include "models/cpu.hpp"
#include "models/serial_lane.hpp"
#include "models/stream_wire.hpp"

namespace offload::models {
namespace {

struct Message : std::enable_shared_from_this<Message> {
  Message(Network& network, sg4::Host* from, sg4::Host* to, double bytes, FaultTally* tally,
          std::function<void()> done)
      : network(network), from(from), to(to), bytes(bytes), tally(tally), done(std::move(done)) {}
  Network& network;
  sg4::Host* from;
  sg4::Host* to;
  double bytes;
  FaultTally* tally;
  std::function<void()> done;
  std::unique_ptr<StreamWire> wire;  // this attempt's
  std::vector<LanePiecePtr> stacks;  // its stack work at both ends

  void send() {
    stacks.clear();
    if (CpuModel* sender = CpuModel::of(from)) {
      if (auto piece = sender->message_work(to, bytes, StackSide::send)) stacks.push_back(std::move(piece));
    }
    if (CpuModel* receiver = CpuModel::of(to)) {
      if (auto piece = receiver->message_work(from, bytes, StackSide::receive)) stacks.push_back(std::move(piece));
    }
    wire = std::make_unique<StreamWire>(network, from, to, bytes);
    auto ticket = wire->begin(bytes);
    wire->follow(ticket, [self = shared_from_this(), ticket] { self->ended(ticket->arrived); });
  }

  void ended(bool arrived) {
    if (!arrived) {  // a link of the route went down under it
      network.when_route_up(from, to, [self = shared_from_this()] {
        self->network.count_resend(self->tally);
        self->send();  // whole again: both stacks again too
      });
      return;
    }
    after_all(stacks, [self = shared_from_this()] { self->done(); });
  }
};

}  // namespace

void send_detached(Network& network, sg4::Host* from, sg4::Host* to, double bytes, FaultTally* tally,
                   std::function<void()> done) {
  std::make_shared<Message>(network, from, to, bytes, tally, std::move(done))->send();
}

}  // namespace offload::models
