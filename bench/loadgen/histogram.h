// LatencyHistogram: log-linear buckets in the manner of HdrHistogram. Every power of two is
// split into 128 linear sub-buckets, so a reported percentile is at most 1/128 (< 0.8%) above
// the true value, from 1 ns up to about 18 minutes (larger values are clamped). Fixed memory
// (~36 KiB), O(1) Record, O(buckets) Percentile. Not thread-safe: keep one per thread and Merge.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace callgate::loadgen {

class LatencyHistogram {
 public:
  LatencyHistogram();

  // Negative latencies count as 0.
  void Record(std::chrono::nanoseconds latency);
  void Merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::chrono::nanoseconds min() const;                                            // 0 when empty
  std::chrono::nanoseconds max() const { return std::chrono::nanoseconds(max_); }  // exact
  std::chrono::nanoseconds mean() const;  // exact; 0 when empty

  // The smallest bucket upper bound at or below which `percent` (0..100] of the values lie,
  // capped by the exact maximum. 0 when empty.
  std::chrono::nanoseconds Percentile(double percent) const;

 private:
  static std::size_t BucketOf(std::uint64_t value);
  static std::uint64_t UpperBoundOf(std::size_t bucket);

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace callgate::loadgen
