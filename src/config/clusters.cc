// The `clusters:` section: a mapping of cluster name to its access rules. An absent rule stays
// std::nullopt (deny by default, as in the Python service); ValidateSecurity checks how the
// rules combine.
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ip_network.h"
#include "common/result.h"
#include "common/strings.h"
#include "config/keys.h"
#include "config/suggest.h"
#include "config/values.h"

namespace callgate::config::internal {
namespace {

constexpr std::size_t kMaxClusterNameBytes = 128;
constexpr std::size_t kMaxSubjectBytes = 256;

using ClusterSetter = Status (*)(const Entry&, Cluster&);

// Reads a list whose every element `problem` finds nothing wrong with (std::nullopt); otherwise
// the error says what was expected and adds the problem, when it is not empty. Null leaves the
// rule absent.
template <typename Problem>
Status SetList(const Entry& entry, std::string_view expected, Problem problem,
               std::optional<std::vector<std::string>>& out) {
  if (entry.value.IsNull()) return OkStatus();
  Result<std::vector<Item>> items = ReadScalarList(entry, expected);
  if (!items.ok()) return items.error();
  out.emplace();
  for (Item& item : items.value()) {
    if (std::optional<std::string> why = problem(item.text)) {
      Entry located = entry;
      located.line = item.line;
      const std::string reason = why->empty() ? "" : ": " + *why;
      return located.Fail("expected " + std::string(expected) + ", got " + Quote(item.text) +
                          reason);
    }
    out->push_back(std::move(item.text));
  }
  return OkStatus();
}

// The authorizer builds its networks with the same IpNetwork::Parse, so an entry that loads is
// one start-up accepts.
Status SetAllowedIps(const Entry& entry, Cluster& cluster) {
  const auto problem = [](std::string_view text) -> std::optional<std::string> {
    Result<IpNetwork> network = IpNetwork::Parse(text);
    if (network.ok()) return std::nullopt;
    return network.error().message;
  };
  return SetList(entry, "an IPv4 or IPv6 address or a CIDR network (such as 10.1.2.0/24)", problem,
                 cluster.allowed_ips);
}

// A blank entry is refused like an empty one: the authorizer compares subjects trimmed
// (security/peer_authorizer.cc), so "  " would silently be no subject at all.
Status SetAllowedSubjects(const Entry& entry, Cluster& cluster) {
  const auto problem = [](std::string_view subject) -> std::optional<std::string> {
    const bool valid =
        subject.size() <= kMaxSubjectBytes && IsFilePath(subject) && !Trim(subject).empty();
    return valid ? std::nullopt : std::optional<std::string>("");
  };
  return SetList(entry, "a certificate CN or SAN value (not blank, at most 256 bytes)", problem,
                 cluster.allowed_subjects);
}

Status SetCaFile(const Entry& entry, Cluster& cluster) {
  if (entry.value.IsNull()) return OkStatus();
  constexpr std::string_view kExpected = "the path of the cluster's CA certificates (PEM)";
  const bool valid = entry.value.IsScalar() && IsFilePath(entry.value.Scalar());
  if (!valid) {
    return entry.Fail("expected " + std::string(kExpected) + ", got " + Describe(entry.value));
  }
  cluster.ca_file = entry.value.Scalar();
  return OkStatus();
}

struct ClusterKey {
  std::string_view name;
  ClusterSetter set;
};

constexpr std::array<ClusterKey, 3> kClusterKeys{{
    {"allowed_ips", SetAllowedIps},
    {"ca_file", SetCaFile},
    {"allowed_subjects", SetAllowedSubjects},
}};

bool Contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Error UnknownClusterKey(const Entry& entry) {
  std::string message =
      "unknown key in a cluster (expected allowed_ips, ca_file or allowed_subjects)";
  if (Contains(TopLevelKeyNames(), entry.name)) {
    message += "; " + entry.name + " is a top-level key: move it out of clusters:";
  } else if (std::optional<std::string_view> near = ClosestKey(entry.name, ClusterKeyNames())) {
    message += "; did you mean '" + std::string(*near) + "'?";
  }
  return entry.Fail(std::move(message));
}

Status ReadClusterEntry(const Entry& entry, Cluster& cluster) {
  for (const ClusterKey& key : kClusterKeys) {
    if (key.name != entry.name) continue;
    cluster.key_lines.insert_or_assign(std::string(key.name), entry.line);
    return key.set(entry, cluster);
  }
  return UnknownClusterKey(entry);
}

Result<Cluster> ReadCluster(const Entry& entry) {
  if (entry.name.size() > kMaxClusterNameBytes || !IsFilePath(entry.name)) {
    return entry.Fail("expected a cluster name (no control characters, at most 128 bytes)");
  }
  if (!entry.value.IsMap()) {
    std::string message =
        "expected a mapping with allowed_ips, ca_file and/or allowed_subjects, got " +
        Describe(entry.value);
    // The usual cause: a cluster's rules, or a top-level key, indented under clusters: directly.
    if (Contains(ClusterKeyNames(), entry.name)) {
      message += "; " + entry.name +
                 " is a rule of a cluster: name the cluster first (clusters: ->"
                 " NAME: -> " +
                 entry.name + ":)";
    } else if (Contains(TopLevelKeyNames(), entry.name)) {
      message += "; " + entry.name + " is a top-level key: move it out of clusters:";
    }
    return entry.Fail(std::move(message));
  }
  Cluster cluster;
  cluster.name = entry.name;
  cluster.line = entry.line;
  Status status = ForEachEntry(entry.value, entry.file, entry.path + ".",
                               [&cluster](const Entry& e) { return ReadClusterEntry(e, cluster); });
  if (!status.ok()) return status.error();
  return cluster;
}

}  // namespace

Status ReadClusters(const Entry& entry, std::vector<Cluster>& clusters) {
  clusters.clear();
  if (entry.value.IsNull()) return OkStatus();
  if (!entry.value.IsMap()) {
    return entry.Fail("expected a mapping of cluster name to its rules, got " +
                      Describe(entry.value));
  }
  return ForEachEntry(entry.value, entry.file, "clusters.", [&clusters](const Entry& e) {
    Result<Cluster> cluster = ReadCluster(e);
    if (!cluster.ok()) return Status(cluster.error());
    clusters.push_back(std::move(cluster.value()));
    return OkStatus();
  });
}

std::vector<std::string_view> ClusterKeyNames() {
  std::vector<std::string_view> names;
  names.reserve(std::size(kClusterKeys));
  for (const ClusterKey& key : kClusterKeys) names.push_back(key.name);
  return names;
}

}  // namespace callgate::config::internal
