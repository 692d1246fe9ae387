#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace callgate::loadgen {
namespace {

constexpr int kSubBucketBits = 7;
constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;
constexpr int kMaxValueBits = 40;  // 2^40 ns is about 18 minutes
constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << kMaxValueBits) - 1;
// Values below 2 * kSubBuckets map to themselves; each further power of two adds kSubBuckets.
constexpr std::size_t kBucketCount = (kMaxValueBits - kSubBucketBits + 1) * kSubBuckets;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

// Index = e * S + (v >> e), where e is how far v's top bit lies above the linear range:
// (v >> e) is then in [S, 2S), so consecutive powers of two get consecutive runs of S buckets.
std::size_t LatencyHistogram::BucketOf(std::uint64_t value) {
  if (value < 2 * kSubBuckets) return value;
  const int shift = std::bit_width(value) - 1 - kSubBucketBits;
  return shift * kSubBuckets + (value >> shift);
}

std::uint64_t LatencyHistogram::UpperBoundOf(std::size_t bucket) {
  if (bucket < 2 * kSubBuckets) return bucket;
  const std::uint64_t shift = bucket / kSubBuckets - 1;
  const std::uint64_t mantissa = bucket - shift * kSubBuckets;
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::Record(std::chrono::nanoseconds latency) {
  const std::uint64_t value = std::min<std::uint64_t>(
      static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0)), kMaxValue);
  ++counts_[BucketOf(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

std::chrono::nanoseconds LatencyHistogram::min() const {
  return std::chrono::nanoseconds(count_ == 0 ? 0 : min_);
}

std::chrono::nanoseconds LatencyHistogram::mean() const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(
      static_cast<std::int64_t>(std::llround(sum_ / static_cast<long double>(count_))));
}

std::chrono::nanoseconds LatencyHistogram::Percentile(double percent) const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  const double wanted =
      std::ceil(static_cast<double>(count_) * std::clamp(percent, 0.0, 100.0) / 100.0);
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::chrono::nanoseconds(std::min(UpperBoundOf(i), max_));
    }
  }
  return max();
}

}  // namespace callgate::loadgen
