// Layout: numbers of up to 16 characters (every E.164 number) live in two SlotTables, exact and
// prefix, keyed by their nibble encoding (number_key.h); a slot's value locates the name in one
// contiguous arena (offset << 24 | length). Longer numbers, which are rare, fall back to
// string-keyed hash maps. Prefix lookup probes only the prefix lengths that occur, longest first.
#include "directory/phone_directory.h"

#include <bit>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

#include "directory/mapped_buffer.h"
#include "directory/number_key.h"
#include "directory/slot_table.h"

namespace callgate::directory {
namespace {

using internal::CompactKey;
using internal::kCompactChars;
using internal::MappedBuffer;
using internal::PrefixMask;
using internal::Slot;
using internal::SlotTable;

constexpr int kLengthBits = 24;
constexpr std::uint64_t kLengthMask = (std::uint64_t{1} << kLengthBits) - 1;
// Above this size the prefix table no longer sits in the CPU caches, so it pays to prefetch
// every candidate slot before probing them in turn.
constexpr std::size_t kPrefetchPrefixBytes = std::size_t{256} << 10;

// Appends names back to back; a name is (offset, length) packed into one 64-bit reference.
class NameArena {
 public:
  void Reserve(std::size_t bytes) {
    if (bytes > buffer_.size()) buffer_.Resize(bytes);
  }
  std::uint64_t Append(std::string_view name) {
    if (used_ + name.size() > buffer_.size()) Grow(used_ + name.size());
    name.copy(buffer_.data() + used_, name.size());
    const std::uint64_t ref = (std::uint64_t{used_} << kLengthBits) | name.size();
    used_ += name.size();
    return ref;
  }
  // Overwrites the name at `ref` with a name no longer than it; returns the new reference.
  std::uint64_t Overwrite(std::uint64_t ref, std::string_view name) {
    name.copy(buffer_.data() + (ref >> kLengthBits), name.size());
    return (ref & ~kLengthMask) | name.size();
  }
  std::string_view Get(std::uint64_t ref) const {
    return {buffer_.data() + (ref >> kLengthBits), static_cast<std::size_t>(ref & kLengthMask)};
  }
  void Finish() { buffer_.Resize(used_); }
  std::size_t MemoryBytes() const { return buffer_.ReservedBytes(); }

 private:
  void Grow(std::size_t needed) {
    std::size_t size = buffer_.size() < 4096 ? 4096 : buffer_.size();
    while (size < needed) size *= 2;
    buffer_.Resize(size);
  }

  MappedBuffer buffer_;
  std::size_t used_ = 0;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct LongEntry {
  std::uint64_t ref = 0;
  std::uint32_t tag = 0;
};

using LongMap = std::unordered_map<std::string, LongEntry, StringHash, std::equal_to<>>;

std::size_t LongMapBytes(const LongMap& map) {
  // An estimate: a node with its hash, the key's heap block (keys are over 16 characters, past
  // the small-string buffer), and the bucket array.
  constexpr std::size_t kPerEntry = sizeof(LongMap::value_type) + 2 * sizeof(void*) + 48;
  return map.size() * kPerEntry + map.bucket_count() * sizeof(void*);
}

// Bits 1..chars set: the prefix lengths a number of `chars` characters can have.
std::uint64_t LengthsUpTo(std::size_t chars) {
  return chars >= 63 ? ~std::uint64_t{1} : ((std::uint64_t{2} << chars) - 2);
}

// Cuts `name` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string_view ClampName(std::string_view name, std::size_t max_bytes) {
  if (name.size() <= max_bytes) return name;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return name.substr(0, cut);
}

struct AddOutcome {
  bool replaced = false;
  std::uint32_t previous_tag = 0;
};

}  // namespace

std::string_view ToString(MatchType type) {
  return type == MatchType::kPrefix ? "prefix" : "exact";
}

struct PhoneDirectory::Tables {
  SlotTable exact;
  SlotTable prefix;
  LongMap long_exact;
  LongMap long_prefix;
  NameArena names;
  std::uint64_t prefix_lengths = 0;  // bit k set: some prefix entry has k characters

  const std::uint64_t* FindExact(std::string_view text, std::uint64_t key) const {
    if (text.size() <= kCompactChars) {
      const Slot* slot = exact.Find(key);
      return slot == nullptr ? nullptr : &slot->value;
    }
    const auto it = long_exact.find(text);
    return it == long_exact.end() ? nullptr : &it->second.ref;
  }

  const std::uint64_t* FindPrefix(std::string_view text, std::uint64_t key,
                                  std::size_t length) const {
    if (length <= kCompactChars) {
      const Slot* slot = prefix.Find(key & PrefixMask(length));
      return slot == nullptr ? nullptr : &slot->value;
    }
    const auto it = long_prefix.find(text.substr(0, length));
    return it == long_prefix.end() ? nullptr : &it->second.ref;
  }

  // Always inlined, like SlotTable::Prefetch(), or GCC deletes the call.
  [[gnu::always_inline]] void PrefetchPrefixes(std::uint64_t key, std::uint64_t lengths) const {
    if (prefix.capacity() * sizeof(Slot) < kPrefetchPrefixBytes) return;
    for (; lengths != 0; lengths &= lengths - 1) {
      const auto length = static_cast<std::size_t>(std::countr_zero(lengths));
      if (length <= kCompactChars) prefix.Prefetch(key & PrefixMask(length));
    }
  }

  std::optional<Match> FindLongestPrefix(std::string_view text, std::uint64_t key,
                                         std::uint64_t lengths) const {
    while (lengths != 0) {
      const auto length = static_cast<std::size_t>(63 - std::countl_zero(lengths));
      if (const std::uint64_t* ref = FindPrefix(text, key, length)) {
        return Match{names.Get(*ref), MatchType::kPrefix, length};
      }
      lengths &= ~(std::uint64_t{1} << length);
    }
    return std::nullopt;
  }

  void Finish() {
    exact.Finish();
    prefix.Finish();
    names.Finish();
  }
};

PhoneDirectory::PhoneDirectory() = default;
PhoneDirectory::~PhoneDirectory() = default;
PhoneDirectory::PhoneDirectory(PhoneDirectory&&) noexcept = default;
PhoneDirectory& PhoneDirectory::operator=(PhoneDirectory&&) noexcept = default;

std::optional<Match> PhoneDirectory::Lookup(const PhoneNumber& number) const {
  if (tables_ == nullptr) return std::nullopt;
  const std::string_view text = number.view();
  const std::uint64_t key = CompactKey(number);
  const std::uint64_t lengths = tables_->prefix_lengths & LengthsUpTo(text.size());
  if (const std::uint64_t* ref = tables_->FindExact(text, key)) {
    return Match{tables_->names.Get(*ref), MatchType::kExact, text.size()};
  }
  // Only after the exact probe: started before it, the prefetches overlapped its miss (prefix
  // lookups ~5% faster) but cost every exact hit ~10% (measured on 10M entries).
  tables_->PrefetchPrefixes(key, lengths);
  return tables_->FindLongestPrefix(text, key, lengths);
}

std::size_t PhoneDirectory::exact_entries() const {
  return tables_ == nullptr ? 0 : tables_->exact.size() + tables_->long_exact.size();
}

std::size_t PhoneDirectory::prefix_entries() const {
  return tables_ == nullptr ? 0 : tables_->prefix.size() + tables_->long_prefix.size();
}

std::size_t PhoneDirectory::MemoryBytes() const {
  if (tables_ == nullptr) return 0;
  const Tables& t = *tables_;
  return sizeof(Tables) + t.exact.MemoryBytes() + t.prefix.MemoryBytes() + t.names.MemoryBytes() +
         LongMapBytes(t.long_exact) + LongMapBytes(t.long_prefix);
}

struct PhoneDirectoryBuilder::State {
  std::unique_ptr<PhoneDirectory::Tables> tables = std::make_unique<PhoneDirectory::Tables>();

  // Stores `name` for a slot or long entry whose current reference is `*ref`: in place when the
  // entry is being replaced by a name that fits, since "last wins" makes the old bytes garbage.
  void StoreName(bool replaced, std::string_view name, std::uint64_t* ref) {
    if (replaced && name.size() <= (*ref & kLengthMask)) {
      *ref = tables->names.Overwrite(*ref, name);
    } else {
      *ref = tables->names.Append(name);
    }
  }

  AddOutcome AddCompact(SlotTable& table, std::uint64_t key, std::string_view name,
                        const std::uint32_t* tag) {
    if (tag != nullptr) table.EnableTags();
    bool inserted = false;
    Slot* slot = table.Insert(key, &inserted);
    StoreName(!inserted, name, &slot->value);
    AddOutcome outcome{!inserted, 0};
    if (std::uint32_t* slot_tag = table.tag(slot)) {
      if (!inserted) outcome.previous_tag = *slot_tag;
      *slot_tag = tag == nullptr ? 0 : *tag;
    }
    return outcome;
  }

  AddOutcome AddLong(LongMap& map, std::string_view text, std::string_view name,
                     const std::uint32_t* tag) {
    auto [it, inserted] = map.try_emplace(std::string(text));
    StoreName(!inserted, name, &it->second.ref);
    const AddOutcome outcome{!inserted, inserted ? 0 : it->second.tag};
    it->second.tag = tag == nullptr ? 0 : *tag;
    return outcome;
  }

  AddOutcome Add(const PhoneNumber& number, std::string_view name, MatchType type,
                 const std::uint32_t* tag) {
    name = ClampName(name, PhoneDirectoryBuilder::kMaxNameBytes);
    const std::string_view text = number.view();
    PhoneDirectory::Tables& t = *tables;
    if (type == MatchType::kPrefix) t.prefix_lengths |= std::uint64_t{1} << text.size();
    if (text.size() <= kCompactChars) {
      SlotTable& table = type == MatchType::kExact ? t.exact : t.prefix;
      return AddCompact(table, CompactKey(number), name, tag);
    }
    return AddLong(type == MatchType::kExact ? t.long_exact : t.long_prefix, text, name, tag);
  }
};

PhoneDirectoryBuilder::PhoneDirectoryBuilder() : state_(std::make_unique<State>()) {}
PhoneDirectoryBuilder::~PhoneDirectoryBuilder() = default;

void PhoneDirectoryBuilder::Reserve(std::size_t entries, std::size_t name_bytes) {
  // Most entries of a large directory are exact; the prefix table grows on demand and Build()
  // trims a table that the hint oversized.
  state_->tables->exact.Reserve(entries);
  state_->tables->names.Reserve(name_bytes);
}

bool PhoneDirectoryBuilder::Add(const PhoneNumber& number, std::string_view name, MatchType type) {
  return !state_->Add(number, name, type, nullptr).replaced;
}

std::optional<std::uint32_t> PhoneDirectoryBuilder::AddTagged(const PhoneNumber& number,
                                                              std::string_view name, MatchType type,
                                                              std::uint32_t tag) {
  const AddOutcome outcome = state_->Add(number, name, type, &tag);
  if (!outcome.replaced) return std::nullopt;
  return outcome.previous_tag;
}

void PhoneDirectoryBuilder::Prefetch(const PhoneNumber& number, MatchType type) const {
  if (number.view().size() > kCompactChars) return;
  const PhoneDirectory::Tables& t = *state_->tables;
  (type == MatchType::kExact ? t.exact : t.prefix).PrefetchForInsert(CompactKey(number));
}

PhoneDirectory PhoneDirectoryBuilder::Build() {
  state_->tables->Finish();
  PhoneDirectory directory;
  directory.tables_ = std::exchange(state_->tables, std::make_unique<PhoneDirectory::Tables>());
  return directory;
}

}  // namespace callgate::directory
