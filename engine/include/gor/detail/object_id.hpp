// object_id.hpp — ids of channels and sync objects, and the object registry behind
// RunControl::snapshot(). Internal API.
//
// Every channel, Mutex, RWMutex, WaitGroup, Semaphore, Once and Cond that is watched gets one
// id from a process-wide counter (never reused): the same number is GoroutineInfo::wait_object,
// GoBlock's a1, the Chan* and Mutex* events' a0, ObjectCreate's a0 and the *Info::id fields.
// A channel is registered at make_chan (which allocates anyway); a sync object lazily, the
// first time a goroutine parks on it, a traced run touches it, or at construction when it
// is given a name. Unwatched objects cost nothing: an ObjectId is one word, 0 until needed.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>

namespace gor::detail {

// Inspector reads sync objects' private state for snapshots (engine/src/registry.hpp).
struct Inspector;

// ObjectKind is an object's kind; the numbers are ObjectCreate's kind code (a1 & 0xff) and
// are stable (the GUI and .gortrace files rely on them).
enum class ObjectKind : uint8_t {
  Channel = 1,
  Mutex = 2,
  RWMutex = 3,
  WaitGroup = 4,
  Semaphore = 5,
  Once = 6,
  Cond = 7,
};

// object_kind_text() is "Channel", "Mutex", "RWMutex", "WaitGroup", "Semaphore", "Once", "Cond".
const char* object_kind_text(ObjectKind k) noexcept;

// new_object_id() is a fresh process-wide id (from 1, never reused).
uint64_t new_object_id() noexcept;

// register_object() enters a live object into the registry and, in a traced run, records an
// ObjectCreate event. `capacity` is a channel's or Semaphore's capacity; `name` may be null.
void register_object(uint64_t id, ObjectKind kind, const void* object, const char* name, uint64_t capacity,
                     std::source_location where = {}) noexcept;
// unregister_object() removes it (at destruction; records ObjectDestroy in a traced run). It
// waits for a concurrent snapshot or detector pass that is reading the object.
void unregister_object(uint64_t id) noexcept;

// ObjectId is a sync object's lazily assigned id: 0 until first needed.
class ObjectId {
 public:
  constexpr ObjectId() noexcept = default;
  ObjectId(const ObjectId&) = delete;
  ObjectId& operator=(const ObjectId&) = delete;

  // get() is the id, assigning and registering it on first use (racing callers agree).
  uint64_t get(ObjectKind kind, const void* object) noexcept {
    const uint64_t id = id_.load(std::memory_order_acquire);
    return id != 0 ? id : assign(kind, object, nullptr, 0);
  }
  // peek() is the id, or 0 if none was assigned yet.
  uint64_t peek() const noexcept { return id_.load(std::memory_order_acquire); }
  // name() registers the object at once under a name (constructors taking a name).
  void name(ObjectKind kind, const void* object, const char* name, uint64_t capacity = 0) noexcept {
    assign(kind, object, name, capacity);
  }
  // release() unregisters the object if it was registered (destructors).
  void release() noexcept {
    if (const uint64_t id = id_.load(std::memory_order_acquire)) unregister_object(id);
  }

 private:
  uint64_t assign(ObjectKind kind, const void* object, const char* name, uint64_t capacity) noexcept;
  std::atomic<uint64_t> id_{0};
};

// current_goid() is the id of the calling goroutine, 0 outside goroutines (Mutex holders).
uint64_t current_goid() noexcept;

// trace_mutex_op() records MutexAcquire (acquire = true) or MutexRelease of the object with
// lazily assigned id `oid` in a traced run. Called only when tracing_active().
void trace_mutex_op(ObjectId& oid, ObjectKind kind, const void* object, bool acquire) noexcept;

}  // namespace gor::detail
