// Directory benchmarks: lookups on a 10-million-entry directory with random keys (exact hit,
// full miss, prefix hit; and prefix hits in a directory of 10 million prefixes), freeing a
// 10-million-entry directory, and loading a 10-million-row CSV file, which also reports the
// resident memory the loaded directory takes per CSV byte. CALLGATE_BENCH_SMOKE=1 shrinks them
// to 10,000. CALLGATE_DIRECTORY_CSV=<path> loads that file instead of a generated one (e.g. from
// bench/gen_directory.py). Run the load benchmark alone for clean memory figures:
//   bench_directory --benchmark_filter=Load --benchmark_repetitions=5
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "directory/csv_loader.h"
#include "directory/phone_directory.h"

namespace callgate::directory {
namespace {

bool Smoke() { return std::getenv("CALLGATE_BENCH_SMOKE") != nullptr; }
std::size_t Entries() { return Smoke() ? 10'000 : 10'000'000; }
// Random keys cycled through (a power of two).
std::size_t KeyCount() { return Smoke() ? 4096 : std::size_t{1} << 20; }
constexpr std::size_t kAreaCodes = 800;      // +1200 .. +1999
constexpr std::size_t kExchanges = 100'000;  // +1NPANXX prefixes

// Distinct ten-digit numbers from an index: an affine bijection modulo the range.
std::string NumberAt(std::uint64_t index) {
  constexpr std::uint64_t kBase = 2'000'000'000;
  constexpr std::uint64_t kRange = 8'000'000'000;
  constexpr std::uint64_t kStride = 2'654'435'761;  // coprime with kRange
  return "+1" + std::to_string(kBase + (index * kStride + 12345) % kRange);
}

std::string ExchangeAt(std::uint64_t index) {
  return "+1" + std::to_string(200 + index % 800) + std::to_string(200 + (index / 800) % 800);
}

PhoneNumber Parse(const std::string& text) { return *PhoneNumber::Parse(text); }

std::size_t ExactEntries() { return Entries() - kAreaCodes - (Smoke() ? 1000 : kExchanges); }

// 10M entries: every area code and 100,000 exchanges as prefixes, the rest exact numbers.
PhoneDirectory BuildMixedDirectory() {
  PhoneDirectoryBuilder builder;
  builder.Reserve(Entries(), Entries() * 12);
  const char* kNames[] = {"Ada Lovelace", "Alan Turing", "Grace Hopper", "Gabriela Moreau"};
  for (std::size_t i = 0; i < ExactEntries(); ++i) {
    builder.Add(Parse(NumberAt(i)), kNames[i % 4], MatchType::kExact);
  }
  for (std::size_t i = 0; i < kAreaCodes; ++i) {
    builder.Add(Parse("+1" + std::to_string(200 + i)), "Area", MatchType::kPrefix);
  }
  for (std::size_t i = 0; i < Entries() - ExactEntries() - kAreaCodes; ++i) {
    builder.Add(Parse(ExchangeAt(i * 7919)), "Exchange", MatchType::kPrefix);
  }
  return builder.Build();
}

const PhoneDirectory& SharedDirectory() {
  static const PhoneDirectory directory = BuildMixedDirectory();
  return directory;
}

template <typename MakeKey>
std::vector<PhoneNumber> Keys(MakeKey make_key) {
  std::mt19937_64 rng(7);
  std::vector<PhoneNumber> keys;
  keys.reserve(KeyCount());
  for (std::size_t i = 0; i < KeyCount(); ++i) keys.push_back(Parse(make_key(rng)));
  return keys;
}

void RunLookups(benchmark::State& state, const std::vector<PhoneNumber>& keys, bool read_name) {
  const PhoneDirectory& directory = SharedDirectory();
  const std::size_t mask = keys.size() - 1;
  std::size_t i = 0;
  std::size_t found = 0;
  for (auto _ : state) {
    const std::optional<Match> match = directory.Lookup(keys[i++ & mask]);
    benchmark::DoNotOptimize(match);
    if (read_name && match) found += static_cast<unsigned char>(match->name.back());
    found += match.has_value();
  }
  benchmark::DoNotOptimize(found);
  state.counters["entries"] =
      static_cast<double>(directory.exact_entries() + directory.prefix_entries());
}

void BM_ExactHit(benchmark::State& state) {
  static const auto keys = Keys([](auto& rng) { return NumberAt(rng() % ExactEntries()); });
  RunLookups(state, keys, state.range(0) != 0);
}
BENCHMARK(BM_ExactHit)->ArgName("read_name")->Arg(0)->Arg(1);

// A number no entry covers: the exact probe and every candidate prefix length miss.
void BM_Miss(benchmark::State& state) {
  static const auto keys =
      Keys([](auto& rng) { return "+44" + std::to_string(rng() % 9'000'000'000 + 1'000'000'000); });
  RunLookups(state, keys, false);
}
BENCHMARK(BM_Miss);

// Numbers outside the exact entries (indices past them): the exact probe misses, then the
// longest of the exchange (8 characters) and area code (5 characters) prefixes matches.
void BM_PrefixHit(benchmark::State& state) {
  static const auto keys =
      Keys([](auto& rng) { return NumberAt(ExactEntries() + rng() % 1'000'000'000); });
  RunLookups(state, keys, false);
}
BENCHMARK(BM_PrefixHit);

// The worst case for prefix lookups: every entry is a prefix (of 8 to 12 characters), so the
// prefix table is as large as the exact one was, and a lookup probes up to five lengths in it.
const PhoneDirectory& PrefixOnlyDirectory() {
  static const PhoneDirectory directory = [] {
    PhoneDirectoryBuilder builder;
    for (std::size_t i = 0; i < Entries(); ++i) {
      builder.Add(Parse(NumberAt(i).substr(0, 8 + i % 5)), "Prefix", MatchType::kPrefix);
    }
    return builder.Build();
  }();
  return directory;
}

void BM_PrefixHitDeep(benchmark::State& state) {
  static const auto keys = Keys([](auto& rng) { return NumberAt(rng() % Entries()) + "7"; });
  const PhoneDirectory& directory = PrefixOnlyDirectory();
  const std::size_t mask = keys.size() - 1;
  std::size_t i = 0;
  std::size_t matched = 0;
  for (auto _ : state) {
    const std::optional<Match> match = directory.Lookup(keys[i++ & mask]);
    benchmark::DoNotOptimize(match);
    matched += match ? match->matched_length : 0;
  }
  benchmark::DoNotOptimize(matched);
  state.counters["entries"] = static_cast<double>(directory.prefix_entries());
}
BENCHMARK(BM_PrefixHitDeep);

// Freeing a 10M-entry directory: what the thread that frees one pays. A reload frees the
// directory it replaces on the reload thread (server::FreeWhenUnpinned) so that no request
// thread does. huge_pages:0 builds the directory with transparent huge pages disabled for the
// process (PR_SET_THP_DISABLE), as on a machine that has them off.
void BM_FreeDirectory(benchmark::State& state) {
  const bool huge_pages = state.range(0) != 0;
  prctl(PR_SET_THP_DISABLE, huge_pages ? 0 : 1, 0, 0, 0);
  std::size_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto directory = std::make_unique<PhoneDirectory>(BuildMixedDirectory());
    bytes = directory->MemoryBytes();
    state.ResumeTiming();
    directory.reset();
  }
  prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
  state.counters["directory_MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_FreeDirectory)
    ->ArgName("huge_pages")
    ->Arg(1)
    ->Arg(0)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

std::size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0;
  std::size_t resident_pages = 0;
  statm >> total_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// A CSV shaped like bench/gen_directory.py's output, in a new temporary file.
std::string WriteGeneratedCsv() {
  const std::string path = "/tmp/callgate_bench_directory_" + std::to_string(getpid()) + ".csv";
  std::ofstream out(path, std::ios::binary);
  out << "phone_number,display_name,match_type\n";
  for (std::size_t i = 0; i < kAreaCodes; ++i) out << "+1" << 200 + i << ",Area,prefix\n";
  const char* kNames[] = {"Ada Lovelace", "Alan Turing", "\"Hopper, Grace\"", "Zoe Novak"};
  for (std::size_t i = 0; i < Entries() - kAreaCodes; ++i) {
    out << NumberAt(i) << ',' << kNames[i % 4] << ",exact\n";
  }
  return path;
}

// A file removed when the program exits.
struct TemporaryFile {
  std::string path;
  ~TemporaryFile() { std::remove(path.c_str()); }
};

// The generated CSV, written on first use.
const std::string& GeneratedCsvPath() {
  static const TemporaryFile csv{WriteGeneratedCsv()};
  return csv.path;
}

void BM_LoadCsv(benchmark::State& state) {
  const char* env_path = std::getenv("CALLGATE_DIRECTORY_CSV");
  const std::string path = env_path != nullptr ? env_path : GeneratedCsvPath();
  std::size_t rows = 0;
  std::size_t growth = 0;
  std::size_t resident = 0;
  std::size_t memory = 0;
  for (auto _ : state) {
    const std::size_t before = ResidentBytes();
    Result<LoadedDirectory> loaded = LoadDirectoryCsv(path);
    state.PauseTiming();
    if (!loaded.ok()) {
      state.SkipWithError(loaded.error().ToString().c_str());
      break;
    }
    resident = ResidentBytes();
    growth = resident - before;
    rows = loaded->rows;
    memory = loaded->directory.MemoryBytes();
    loaded = Error{};  // free the directory outside the timed region
    state.ResumeTiming();
  }
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  const auto csv_bytes = static_cast<double>(file.tellg());
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["csv_MB"] = csv_bytes / 1e6;
  state.counters["rss_MB"] = static_cast<double>(resident) / 1e6;
  state.counters["rss_growth_per_csv_byte"] = static_cast<double>(growth) / csv_bytes;
  state.counters["memory_per_csv_byte"] = static_cast<double>(memory) / csv_bytes;
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_LoadCsv)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace callgate::directory

BENCHMARK_MAIN();
