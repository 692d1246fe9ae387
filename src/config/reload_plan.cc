// PlanReload: which keys of an edited configuration file a reload puts in force.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace callgate::config {
namespace {

using TakeFn = void (*)(const Config& from, Config& to);

template <auto kMember>
void Take(const Config& from, Config& to) {
  to.*kMember = from.*kMember;
}

struct ReloadableKey {
  std::string_view key;  // canonical, as ChangedKeys names it
  TakeFn take;
  bool security;  // a key of the TLS/authorization state (ReloadPlan::security)
};

// In documentation order (config/keys.cc).
constexpr auto kReloadable = std::to_array<ReloadableKey>({
    {"log_level", Take<&Config::log_level>, false},
    {"tls_cert_file", Take<&Config::tls_cert_file>, true},
    {"tls_key_file", Take<&Config::tls_key_file>, true},
    {"tls_legacy_ciphers", Take<&Config::tls_legacy_ciphers>, true},
    {"clusters", Take<&Config::clusters>, true},
});

const ReloadableKey* FindReloadable(std::string_view key) {
  const auto found =
      std::find_if(kReloadable.begin(), kReloadable.end(),
                   [key](const ReloadableKey& reloadable) { return reloadable.key == key; });
  return found == kReloadable.end() ? nullptr : &*found;
}

bool Contains(const std::vector<std::string_view>& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// Why the reloadable keys of `edited` cannot go into force over `running`, as ReloadPlan says:
// "" when they can.
std::string HeldBack(const Config& running, const Config& edited) {
  if (running.insecure_mode != edited.insecure_mode) return "insecure_mode changes";
  if (running.tls_enabled() != edited.tls_enabled()) {
    return edited.tls_enabled() ? "TLS is turned on" : "TLS is turned off";
  }
  if (running.clusters.empty() != edited.clusters.empty()) {
    return edited.clusters.empty() ? "no cluster is left"
                                   : "clusters are defined where there were none";
  }
  return "";
}

// Sets `to`'s entry for `key` to `from`'s, or removes it when `from` has none.
template <typename Map>
void CopyEntry(const Map& from, Map& to, std::string_view key) {
  if (const auto found = from.find(key); found != from.end()) {
    to.insert_or_assign(found->first, found->second);
  } else if (const auto stale = to.find(key); stale != to.end()) {
    to.erase(stale);
  }
}

}  // namespace

std::vector<std::string_view> ReloadableKeys() {
  std::vector<std::string_view> keys;
  for (const ReloadableKey& reloadable : kReloadable) keys.push_back(reloadable.key);
  return keys;
}

ReloadPlan PlanReload(const Config& running, const Config& edited) {
  ReloadPlan plan{
      .next = running, .logging = {}, .security = {}, .at_restart = {}, .held_back = ""};
  const std::string held_back = HeldBack(running, edited);
  for (const std::string_view key : ChangedKeys(running, edited)) {
    const ReloadableKey* reloadable = FindReloadable(key);
    const bool held = reloadable != nullptr && reloadable->security && !held_back.empty();
    if (reloadable == nullptr || held) {
      plan.at_restart.push_back(key);
      if (held) plan.held_back = held_back;
      continue;
    }
    (reloadable->security ? plan.security : plan.logging).push_back(key);
  }
  plan.next.key_lines = edited.key_lines;
  plan.next.key_aliases = edited.key_aliases;
  for (const std::string_view key : plan.at_restart) {
    CopyEntry(running.key_lines, plan.next.key_lines, key);
    CopyEntry(running.key_aliases, plan.next.key_aliases, key);
  }
  // An unchanged key takes edited's value too: the same, but for clusters with edited's lines.
  for (const ReloadableKey& reloadable : kReloadable) {
    if (!Contains(plan.at_restart, reloadable.key)) reloadable.take(edited, plan.next);
  }
  return plan;
}

}  // namespace callgate::config
