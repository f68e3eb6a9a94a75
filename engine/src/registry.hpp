// registry.hpp — the process-wide registry of watched objects (see gor/detail/object_id.hpp)
// and what snapshots and the deadlock detector read from the objects. Internal.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <source_location>
#include <string>
#include <vector>

#include "gor/control.hpp"
#include "gor/detail/object_id.hpp"

namespace gor {
class Mutex;
class RWMutex;
class WaitGroup;
class Semaphore;
class Once;
class Cond;
}  // namespace gor

namespace gor::detail {

struct G;

// RegEntry is one live registered object.
struct RegEntry {
  ObjectKind kind = ObjectKind::Mutex;
  const void* object = nullptr;
  std::string name;
  uint64_t capacity = 0;
  std::source_location where;
  uint64_t run = 0;  // serial of the run that registered it (0: outside runs, shown in every run)
};

// with_registry() calls f with the registry locked: while f runs no registered object can be
// destroyed (unregister_object waits), so f may read the objects. f must not register objects.
void with_registry(const std::function<void(const std::map<uint64_t, RegEntry>&)>& f);

// Inspector reads the private state of the sync objects. Its functions take the object's own
// lock where it has one; they are called with the registry locked.
struct Inspector {
  // mutex_holder() is the goroutine holding m (0: unlocked or unknown); racy but atomic reads.
  static uint64_t mutex_holder(const Mutex& m) noexcept;
  // rwmutex_writer() is the goroutine that holds or waits to hold rw for writing (0: none).
  static uint64_t rwmutex_writer(const RWMutex& rw) noexcept;
  static void mutex(const Mutex& m, MutexInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters);
  static void rwmutex(const RWMutex& rw, MutexInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters);
  static void waitgroup(const WaitGroup& wg, SyncObjectInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters);
  // The next three are defined next to their classes (their waiter types are private there).
  static void semaphore(const Semaphore& s, SyncObjectInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters);
  static void once(const Once& o, SyncObjectInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters);
  static void cond(const Cond& c, SyncObjectInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters);
};

// fill_objects() adds the live channels, mutexes and sync objects of run `run` (and those
// registered outside runs) to snap. World stopped.
void fill_objects(Snapshot& snap, uint64_t run);

// trace_chan_type() records channel `id`'s element type (ChanType event) when the run traces.
void trace_chan_type(uint64_t id, const std::string& type) noexcept;

// demangle() is the readable form of a typeid name ("int", "std::string").
std::string demangle(const char* mangled);

}  // namespace gor::detail
