#include "server/worker_choice.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace callgate::server {
namespace {

struct ChoiceCase {
  std::string name;
  std::vector<WorkerLoad> workers;
  int incoming_cpu;
  std::size_t rotation;
  std::size_t expected;
};

class ChooseWorkerTest : public testing::TestWithParam<ChoiceCase> {};

TEST_P(ChooseWorkerTest, PicksTheExpectedWorker) {
  const ChoiceCase& c = GetParam();
  EXPECT_EQ(ChooseWorker(c.workers, c.incoming_cpu, c.rotation), c.expected);
}

constexpr std::size_t kSlack = kMaxSteeringImbalance;

INSTANTIATE_TEST_SUITE_P(
    Cases, ChooseWorkerTest,
    testing::Values(
        // Not pinned: the least busy worker, ties round-robin from `rotation`.
        ChoiceCase{"UnpinnedLeastBusy", {{-1, 3}, {-1, 1}, {-1, 2}}, -1, 0, 1},
        ChoiceCase{"UnpinnedTieFromRotation", {{-1, 0}, {-1, 0}, {-1, 0}}, -1, 2, 2},
        ChoiceCase{"UnpinnedRotationWraps", {{-1, 0}, {-1, 1}, {-1, 0}}, -1, 4, 2},
        ChoiceCase{"UnpinnedIgnoresIncomingCpu", {{-1, 1}, {-1, 0}}, 0, 0, 1},
        // Pinned: the worker on the CPU that received the connection.
        ChoiceCase{"LocalWhenEqual", {{0, 0}, {1, 0}}, 1, 0, 1},
        ChoiceCase{"LocalWhenBusier", {{0, 0}, {1, 5}}, 1, 0, 1},
        ChoiceCase{"LocalJustUnderTheCap", {{0, 2}, {1, 2 + kSlack - 1}}, 1, 0, 1},
        ChoiceCase{"LeastBusyAtTheCap", {{0, 2}, {1, 2 + kSlack}}, 1, 0, 0},
        ChoiceCase{"UnknownCpuLeastBusy", {{0, 4}, {1, 3}}, -1, 0, 1},
        ChoiceCase{"CpuWithoutWorkerLeastBusy", {{0, 4}, {1, 3}}, 7, 0, 1},
        // Two workers per CPU: the less busy of the two on the incoming CPU.
        ChoiceCase{"LeastBusyOfTheLocalWorkers", {{0, 0}, {1, 4}, {0, 0}, {1, 3}, {1, 2}}, 1, 0, 4},
        ChoiceCase{"LocalTieFromRotation", {{0, 0}, {1, 1}, {0, 0}, {1, 1}}, 1, 2, 3},
        // A stalled worker is passed over, however idle or local, unless all are stalled.
        ChoiceCase{"StalledLeastBusyPassedOver", {{-1, 0, true}, {-1, 9}}, -1, 0, 1},
        ChoiceCase{"StalledLocalPassedOver", {{0, 5}, {1, 0, true}}, 1, 0, 0},
        ChoiceCase{"StalledLocalOfTwoPassedOver", {{0, 0}, {1, 0, true}, {1, 3}}, 1, 0, 2},
        ChoiceCase{"AllStalledLeastBusy", {{-1, 2, true}, {-1, 1, true}}, -1, 0, 1},
        ChoiceCase{"AllStalledLocal", {{0, 0, true}, {1, 1, true}}, 1, 0, 1}),
    [](const testing::TestParamInfo<ChoiceCase>& param) { return param.param.name; });

// Opens `count` connections arriving on `cpu`, each on the worker ChooseWorker picks.
void Open(std::vector<WorkerLoad>& workers, int cpu, int count, std::size_t& rotation) {
  for (int i = 0; i < count; ++i) ++workers[ChooseWorker(workers, cpu, rotation++)].connections;
}

TEST(ChooseWorker, EachCpusConnectionsStayOnItsWorker) {
  // A client with one thread per CPU, each opening its connections in a burst (wrk).
  std::vector<WorkerLoad> workers{{0, 0}, {1, 0}};
  std::size_t rotation = 0;
  Open(workers, 1, 8, rotation);
  Open(workers, 0, 8, rotation);
  EXPECT_EQ(workers[0].connections, 8U);
  EXPECT_EQ(workers[1].connections, 8U);
}

TEST(ChooseWorker, OneReceivingCpuStillSpreadsTheConnections) {
  // A network card with one receive queue: every connection arrives on CPU 0.
  std::vector<WorkerLoad> workers{{0, 0}, {1, 0}};
  std::size_t rotation = 0;
  Open(workers, 0, 100, rotation);
  // CPU 0's worker takes the first kSlack (8); from then on the two alternate.
  ASSERT_EQ(kSlack, 8U);
  EXPECT_EQ(workers[0].connections, 54U);
  EXPECT_EQ(workers[1].connections, 46U);
}

TEST(ChooseWorker, UnpinnedWorkersShareConnectionsEvenly) {
  std::vector<WorkerLoad> workers(3);
  std::size_t rotation = 0;
  Open(workers, -1, 30, rotation);
  for (const auto& worker : workers) EXPECT_EQ(worker.connections, 10U);
}

}  // namespace
}  // namespace callgate::server
