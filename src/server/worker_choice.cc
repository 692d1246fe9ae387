#include "server/worker_choice.h"

#include <algorithm>

namespace callgate::server {

std::size_t ChooseWorker(std::span<const WorkerLoad> workers, int incoming_cpu,
                         std::size_t rotation) {
  const std::size_t none = workers.size();
  const bool all_stalled =
      std::ranges::all_of(workers, [](const WorkerLoad& worker) { return worker.stalled; });
  std::size_t least = none;  // the least busy worker
  std::size_t local = none;  // the least busy worker pinned to incoming_cpu
  for (std::size_t step = 0; step < workers.size(); ++step) {
    const std::size_t i = (rotation + step) % workers.size();
    if (workers[i].stalled && !all_stalled) continue;
    const std::size_t load = workers[i].connections;
    if (least == none || load < workers[least].connections) least = i;
    if (incoming_cpu >= 0 && workers[i].cpu == incoming_cpu &&
        (local == none || load < workers[local].connections)) {
      local = i;
    }
  }
  if (local != none &&
      workers[local].connections < workers[least].connections + kMaxSteeringImbalance) {
    return local;
  }
  return least;
}

}  // namespace callgate::server
