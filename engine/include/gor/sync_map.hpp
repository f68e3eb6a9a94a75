// sync_map.hpp — gor::SyncMap<K, V>, Go's sync.Map (sync/map.go) on the engine.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "gor/detail/park.hpp"
#include "gor/mutex.hpp"

namespace gor {

// SyncMap is a concurrent map optimised, like Go's sync.Map, for keys written once and read
// many times, and for goroutines working on disjoint keys. Go's design: a read-only snapshot
// map (swapped atomically, read without the map lock) plus a dirty map under a Mutex holding
// the keys missing from the snapshot; misses on the snapshot promote the dirty map to be the
// new snapshot once they cost as much as copying it. Entries are shared by both maps, so a
// store to a key already in the snapshot only touches that entry. K needs std::hash and ==;
// V must be copy-constructible (load returns copies). Neither copyable nor movable.
template <class K, class V, class Hash = std::hash<K>, class Eq = std::equal_to<K>>
class SyncMap {
 public:
  SyncMap() : read_(std::make_shared<const ReadOnly>()) {}
  SyncMap(const SyncMap&) = delete;
  SyncMap& operator=(const SyncMap&) = delete;

  // load() is the value stored for k, if any.
  std::optional<V> load(const K& k) {
    std::shared_ptr<const ReadOnly> read = load_read();
    std::shared_ptr<Entry> e = find(read->m, k);
    if (!e && read->amended) {
      std::lock_guard g(mu_);
      // Avoid reporting a spurious miss if the dirty map got promoted while we waited.
      read = load_read();
      e = find(read->m, k);
      if (!e && read->amended) {
        if (dirty_) e = find(*dirty_, k);
        // Record a miss either way: the key is slow to reach until promotion.
        miss_locked();
      }
    }
    if (!e) return std::nullopt;
    return e->load();
  }

  // store() sets the value for k.
  void store(const K& k, V v) {
    auto value = std::make_shared<const V>(std::move(v));
    std::shared_ptr<const ReadOnly> read = load_read();
    if (std::shared_ptr<Entry> e = find(read->m, k); e && e->try_swap(value)) return;
    std::lock_guard g(mu_);
    read = load_read();
    if (std::shared_ptr<Entry> e = find(read->m, k)) {
      // The entry was expunged: the dirty map exists and lacks it; add it back.
      if (e->unexpunge_locked()) (*dirty_)[k] = e;
      e->swap_locked(value);
    } else if (std::shared_ptr<Entry> d = dirty_ ? find(*dirty_, k) : nullptr) {
      d->swap_locked(value);
    } else {
      if (!read->amended) {
        // First new key in the dirty map: make sure it exists, mark the snapshot incomplete.
        dirty_locked();
        store_read(std::make_shared<const ReadOnly>(ReadOnly{read->m, true}));
      }
      (*dirty_)[k] = std::make_shared<Entry>(std::move(value));
    }
  }

  // load_or_store() returns the existing value for k (loaded = true), or stores v and
  // returns it (loaded = false). Of racing callers on a new key, exactly one stores.
  std::pair<V, bool> load_or_store(const K& k, V v) {
    std::shared_ptr<const ReadOnly> read = load_read();
    if (std::shared_ptr<Entry> e = find(read->m, k)) {
      if (auto r = e->try_load_or_store(v)) return std::move(*r);
    }
    std::lock_guard g(mu_);
    read = load_read();
    if (std::shared_ptr<Entry> e = find(read->m, k)) {
      if (e->unexpunge_locked()) (*dirty_)[k] = e;
      return std::move(*e->try_load_or_store(std::move(v)));
    }
    if (std::shared_ptr<Entry> d = dirty_ ? find(*dirty_, k) : nullptr) {
      auto r = d->try_load_or_store(std::move(v));
      miss_locked();
      return std::move(*r);
    }
    if (!read->amended) {
      dirty_locked();
      store_read(std::make_shared<const ReadOnly>(ReadOnly{read->m, true}));
    }
    (*dirty_)[k] = std::make_shared<Entry>(std::make_shared<const V>(v));
    return {std::move(v), false};
  }

  // erase() deletes k; returns whether it was present.
  bool erase(const K& k) { return load_and_delete(k).has_value(); }

  // load_and_delete() deletes k and returns its previous value, if any.
  std::optional<V> load_and_delete(const K& k) {
    std::shared_ptr<const ReadOnly> read = load_read();
    std::shared_ptr<Entry> e = find(read->m, k);
    if (!e && read->amended) {
      std::lock_guard g(mu_);
      read = load_read();
      e = find(read->m, k);
      if (!e && read->amended) {
        if (dirty_) {
          e = find(*dirty_, k);
          dirty_->erase(k);
        }
        miss_locked();
      }
    }
    if (!e) return std::nullopt;
    return e->erase();
  }

  // swap() sets the value for k and returns the previous value, if any (Go's Swap).
  std::optional<V> swap(const K& k, V v) {
    auto value = std::make_shared<const V>(std::move(v));
    std::shared_ptr<const ReadOnly> read = load_read();
    if (std::shared_ptr<Entry> e = find(read->m, k)) {
      if (auto prev = e->try_swap_prev(value)) return prev->p ? std::optional<V>(*prev->p) : std::nullopt;
    }
    std::shared_ptr<const V> prev;
    {
      std::lock_guard g(mu_);
      read = load_read();
      if (std::shared_ptr<Entry> e = find(read->m, k)) {
        if (e->unexpunge_locked()) (*dirty_)[k] = e;
        prev = e->swap_locked(value);
      } else if (std::shared_ptr<Entry> d = dirty_ ? find(*dirty_, k) : nullptr) {
        prev = d->swap_locked(value);
      } else {
        if (!read->amended) {
          dirty_locked();
          store_read(std::make_shared<const ReadOnly>(ReadOnly{read->m, true}));
        }
        (*dirty_)[k] = std::make_shared<Entry>(std::move(value));
      }
    }
    if (!prev) return std::nullopt;
    return *prev;
  }

  // compare_and_swap() sets k's value to `desired` if it is present and equal to `expected`;
  // returns whether it did (Go's CompareAndSwap). Needs V ==.
  bool compare_and_swap(const K& k, const V& expected, V desired) {
    std::shared_ptr<const ReadOnly> read = load_read();
    if (std::shared_ptr<Entry> e = find(read->m, k)) return e->try_compare_and_swap(expected, std::move(desired));
    if (!read->amended) return false;
    std::lock_guard g(mu_);
    read = load_read();
    if (std::shared_ptr<Entry> e = find(read->m, k)) return e->try_compare_and_swap(expected, std::move(desired));
    if (std::shared_ptr<Entry> d = dirty_ ? find(*dirty_, k) : nullptr) {
      const bool swapped = d->try_compare_and_swap(expected, std::move(desired));
      miss_locked();
      return swapped;
    }
    return false;
  }

  // compare_and_delete() deletes k if its value equals `expected`; returns whether it did
  // (Go's CompareAndDelete). Needs V ==.
  bool compare_and_delete(const K& k, const V& expected) {
    std::shared_ptr<const ReadOnly> read = load_read();
    std::shared_ptr<Entry> e = find(read->m, k);
    if (!e && read->amended) {
      std::lock_guard g(mu_);
      read = load_read();
      e = find(read->m, k);
      if (!e && read->amended) {
        if (dirty_) e = find(*dirty_, k);
        miss_locked();  // Go leaves the entry in the dirty map, deleted (nil)
      }
    }
    return e && e->try_compare_and_delete(expected);
  }

  // clear() deletes every entry (Go 1.23's Clear).
  void clear() {
    std::shared_ptr<const ReadOnly> read = load_read();
    if (read->m.empty() && !read->amended) return;
    std::unique_ptr<Map> old_dirty;
    std::lock_guard g(mu_);
    read = load_read();
    if (!read->m.empty() || read->amended) store_read(std::make_shared<const ReadOnly>());
    old_dirty = std::move(dirty_);
    misses_ = 0;
  }

  // range() calls fn(k, v) for each key present, until fn returns false. Like Go's Range it
  // sees a consistent set of keys (a snapshot) but each value as of when it is visited; fn
  // may call any method of the map.
  template <class F>
  void range(F&& fn) {
    std::shared_ptr<const ReadOnly> read = load_read();
    if (read->amended) {
      // Range visits all keys: promote the dirty map now (an O(n) call amortises the copy).
      std::lock_guard g(mu_);
      read = load_read();
      if (read->amended) {
        read = std::make_shared<const ReadOnly>(ReadOnly{dirty_ ? std::move(*dirty_) : Map{}, false});
        store_read(read);
        dirty_.reset();
        misses_ = 0;
      }
    }
    for (const auto& [k, e] : read->m) {
      std::shared_ptr<const V> p = e->load_ptr();
      if (!p) continue;
      if (!fn(k, *p)) break;
    }
  }

 private:
  // Entry is a slot shared by the snapshot and the dirty map. Its pointer is null when
  // deleted and `expunged` when deleted and absent from the dirty map (then it may only be
  // revived under the map lock, by adding it back to the dirty map first).
  struct Entry {
    explicit Entry(std::shared_ptr<const V> v) : p(std::move(v)) {}
    detail::RuntimeLock lock;  // guards p and expunged (a few instructions, never across calls)
    std::shared_ptr<const V> p;
    bool expunged = false;

    std::shared_ptr<const V> load_ptr() {
      std::lock_guard g(lock);
      return p;
    }
    std::optional<V> load() {
      std::shared_ptr<const V> v = load_ptr();
      if (!v) return std::nullopt;
      return *v;
    }
    // try_swap stores v unless the entry is expunged.
    bool try_swap(std::shared_ptr<const V>& v) {
      std::shared_ptr<const V> old;
      {
        std::lock_guard g(lock);
        if (expunged) return false;
        old = std::exchange(p, std::move(v));
      }
      return true;  // `old` is released outside the spin lock
    }
    // swap_locked stores v and returns the previous value (null if deleted).
    std::shared_ptr<const V> swap_locked(std::shared_ptr<const V>& v) {
      std::lock_guard g(lock);
      return std::exchange(p, std::move(v));
    }
    // Prev is what try_swap_prev replaced (p null: the entry was deleted).
    struct Prev {
      std::shared_ptr<const V> p;
    };
    // try_swap_prev stores v unless the entry is expunged, returning the previous value.
    std::optional<Prev> try_swap_prev(std::shared_ptr<const V>& v) {
      std::lock_guard g(lock);
      if (expunged) return std::nullopt;
      return Prev{std::exchange(p, std::move(v))};
    }
    // try_compare_and_swap: stores desired if present (not deleted/expunged) and == expected.
    bool try_compare_and_swap(const V& expected, V desired) {
      auto value = std::make_shared<const V>(std::move(desired));
      std::shared_ptr<const V> old;
      std::lock_guard g(lock);
      if (expunged || !p || !(*p == expected)) return false;
      old = std::exchange(p, std::move(value));
      return true;
    }
    // try_compare_and_delete: deletes the value if present and == expected.
    bool try_compare_and_delete(const V& expected) {
      std::shared_ptr<const V> old;
      std::lock_guard g(lock);
      if (expunged || !p || !(*p == expected)) return false;
      old = std::move(p);
      p.reset();
      return true;
    }
    // unexpunge_locked clears `expunged`; true if it was set (map lock held).
    bool unexpunge_locked() {
      std::lock_guard g(lock);
      return std::exchange(expunged, false);
    }
    // try_expunge_locked marks a deleted entry expunged; true if it is (map lock held).
    bool try_expunge_locked() {
      std::lock_guard g(lock);
      if (!p) expunged = true;
      return expunged;
    }
    // try_load_or_store: nullopt if expunged; else the present value or v stored.
    std::optional<std::pair<V, bool>> try_load_or_store(const V& v) {
      std::shared_ptr<const V> cur;
      {
        std::lock_guard g(lock);
        if (expunged) return std::nullopt;
        cur = p;
        if (!cur) {
          p = std::make_shared<const V>(v);  // allocation under a spin lock: rare (new or deleted key)
          return std::pair<V, bool>{v, false};
        }
      }
      return std::pair<V, bool>{*cur, true};
    }
    std::optional<V> erase() {
      std::shared_ptr<const V> old;
      {
        std::lock_guard g(lock);
        if (expunged || !p) return std::nullopt;
        old = std::move(p);
        p.reset();
      }
      return *old;
    }
  };

  using Map = std::unordered_map<K, std::shared_ptr<Entry>, Hash, Eq>;
  struct ReadOnly {
    Map m;
    bool amended = false;  // the dirty map holds keys missing from m
  };

  static std::shared_ptr<Entry> find(const Map& m, const K& k) {
    auto it = m.find(k);
    return it == m.end() ? nullptr : it->second;
  }

  std::shared_ptr<const ReadOnly> load_read() {
    std::lock_guard g(read_lock_);
    return read_;
  }
  void store_read(std::shared_ptr<const ReadOnly> r) {
    std::shared_ptr<const ReadOnly> old;
    std::lock_guard g(read_lock_);
    old = std::exchange(read_, std::move(r));
  }

  // miss_locked counts a lookup that needed the lock; promotes dirty once misses >= its size.
  void miss_locked() {
    ++misses_;
    if (!dirty_ || misses_ < dirty_->size()) return;
    store_read(std::make_shared<const ReadOnly>(ReadOnly{std::move(*dirty_), false}));
    dirty_.reset();
    misses_ = 0;
  }

  // dirty_locked creates the dirty map from the snapshot, leaving out (expunging) deleted entries.
  void dirty_locked() {
    if (dirty_) return;
    std::shared_ptr<const ReadOnly> read = load_read();
    dirty_ = std::make_unique<Map>(read->m.size());
    for (const auto& [k, e] : read->m)
      if (!e->try_expunge_locked()) dirty_->emplace(k, e);
  }

  detail::RuntimeLock read_lock_;            // guards the read_ pointer (copying it is two atomics)
  std::shared_ptr<const ReadOnly> read_;  // the snapshot
  Mutex mu_;                              // guards dirty_ and misses_
  std::unique_ptr<Map> dirty_;
  size_t misses_ = 0;
};

}  // namespace gor
