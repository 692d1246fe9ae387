#include "directory/slot_table.h"

#include <utility>

namespace callgate::directory::internal {

std::size_t SlotTable::CapacityFor(std::size_t entries) {
  const auto needed = static_cast<std::size_t>(static_cast<double>(entries) / kMaxLoad) + 1;
  return needed < 8 ? 8 : needed;
}

void SlotTable::Reserve(std::size_t entries) {
  const std::size_t capacity = CapacityFor(entries);
  if (capacity > capacity_) Rehash(capacity);
}

// `key` is not in the window: an empty slot there means a miss (again without a branch per
// slot), otherwise the probe goes on past the window.
const Slot* SlotTable::FindAfterHits(std::uint64_t key, const Slot* window) const {
  if (WindowMatches(window, 0) != 0) return nullptr;
  for (const Slot* slot = window + kWindow;; ++slot) {
    if (slot->key == key) return slot;
    if (slot->key == 0) return nullptr;
  }
}

Slot* SlotTable::Insert(std::uint64_t key, bool* inserted) {
  if (static_cast<double>(size_ + 1) > static_cast<double>(capacity_) * kMaxLoad) {
    Rehash(capacity_ < 8 ? 8 : capacity_ * 2);
  }
  Slot* slots = this->slots();
  std::size_t i = Home(key);
  while (slots[i].key != key && slots[i].key != 0) ++i;
  if (i + 1 == total_slots()) {  // would fill the last slot, which must stay empty
    Rehash(capacity_ * 2);
    return Insert(key, inserted);
  }
  *inserted = slots[i].key == 0;
  if (*inserted) {
    slots[i].key = key;
    ++size_;
  }
  return &slots[i];
}

void SlotTable::EnableTags() {
  if (tagged_) return;
  tagged_ = true;
  tags_.Resize(total_slots() * sizeof(std::uint32_t));
}

std::uint32_t* SlotTable::tag(const Slot* slot) {
  return tagged_ ? tags() + (slot - slots()) : nullptr;
}

void SlotTable::Finish() {
  tagged_ = false;
  tags_.Resize(0);
  const std::size_t fitting = CapacityFor(size_);
  if (fitting * 2 <= capacity_) Rehash(fitting);
}

void SlotTable::Rehash(std::size_t capacity) {
  SlotTable bigger;
  bigger.capacity_ = capacity;
  bigger.tagged_ = tagged_;
  bigger.slots_.Resize(bigger.total_slots() * sizeof(Slot));
  if (tagged_) bigger.tags_.Resize(bigger.total_slots() * sizeof(std::uint32_t));
  const Slot* old = slots();
  for (std::size_t i = 0; i < total_slots(); ++i) {
    if (old[i].key == 0) continue;
    bool inserted = false;
    Slot* slot = bigger.Insert(old[i].key, &inserted);
    slot->value = old[i].value;
    if (tagged_) *bigger.tag(slot) = tags()[i];
  }
  *this = std::move(bigger);
}

}  // namespace callgate::directory::internal
