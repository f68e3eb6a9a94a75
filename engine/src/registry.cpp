// registry.cpp — object ids, the registry of watched objects and the object part of
// RunControl::snapshot() (see gor/detail/object_id.hpp).
//
// The registry is one std::mutex and a map by id. It is touched only when an object becomes
// watched (make_chan, a name, a first contention, a traced run), when a watched object dies,
// and by snapshots and the deadlock detector. Lock order: the registry lock is never taken
// inside an object's lock; readers take objects' locks inside it.
#include "go_names.hpp"
#include "registry.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "gor/chan.hpp"
#include "gor/cond.hpp"
#include "gor/mutex.hpp"
#include "gor/once.hpp"
#include "gor/rwmutex.hpp"
#include "gor/semaphore.hpp"
#include "gor/waitgroup.hpp"
#include "scheduler.hpp"

namespace gor::detail {

namespace {

std::atomic<uint64_t> g_next_object_id{1};

struct Registry {
  std::mutex mu;
  std::map<uint64_t, RegEntry> objects;
};

// registry() is never destroyed: objects with static storage may unregister at exit.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

// trace_here() records an object event of the calling thread's run, if it is an M of a
// traced run (objects created elsewhere are not traced).
void trace_here(EventKind kind, uint64_t a0, uint64_t a1, const char* text) noexcept {
  Machine* m = current_machine();
  if (m == nullptr || !m->sched->tracing()) return;
  uint64_t sid = 0;
  if (text != nullptr && text[0] != '\0') {
    try {
      sid = m->sched->trace_string(text);
    } catch (...) {
    }
  }
  m->sched->trace(m, kind, m->curg != nullptr ? m->curg->id : 0, a0, a1, sid);
}

}  // namespace

const char* object_kind_text(ObjectKind k) noexcept {
  switch (k) {
    case ObjectKind::Channel: return "Channel";
    case ObjectKind::Mutex: return "Mutex";
    case ObjectKind::RWMutex: return "RWMutex";
    case ObjectKind::WaitGroup: return "WaitGroup";
    case ObjectKind::Semaphore: return "Semaphore";
    case ObjectKind::Once: return "Once";
    case ObjectKind::Cond: return "Cond";
  }
  return "?";
}

uint64_t new_object_id() noexcept { return g_next_object_id.fetch_add(1, std::memory_order_relaxed); }

void register_object(uint64_t id, ObjectKind kind, const void* object, const char* name, uint64_t capacity,
                     std::source_location where) noexcept {
  Machine* m = current_machine();
  RegEntry e;
  e.kind = kind;
  e.object = object;
  if (name != nullptr) e.name = name;
  e.capacity = capacity;
  e.where = where;
  e.run = m != nullptr ? m->sched->run_serial : 0;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> guard(r.mu);
    r.objects.emplace(id, std::move(e));
  }
  if (tracing_active()) {
    trace_here(EventKind::ObjectCreate, id, static_cast<uint64_t>(kind) | (capacity << 8), name);
  }
}

void trace_chan_type(uint64_t id, const std::string& type) noexcept {
  if (tracing_active()) trace_here(EventKind::ChanType, id, 0, type.c_str());
}

void unregister_object(uint64_t id) noexcept {
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> guard(r.mu);
    r.objects.erase(id);
  }
  if (tracing_active()) trace_here(EventKind::ObjectDestroy, id, 0, nullptr);
}

uint64_t ObjectId::assign(ObjectKind kind, const void* object, const char* name, uint64_t capacity) noexcept {
  const uint64_t fresh = new_object_id();
  uint64_t expected = 0;
  if (!id_.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
    return expected;  // another goroutine registered it first (the fresh id is skipped)
  }
  register_object(fresh, kind, object, name, capacity);
  return fresh;
}

void trace_mutex_op(ObjectId& oid, ObjectKind kind, const void* object, bool acquire) noexcept {
  Machine* m = current_machine();
  if (m == nullptr || !m->sched->tracing()) return;
  const uint64_t id = oid.get(kind, object);
  m = current_machine();  // unchanged: registering never parks
  m->sched->trace(m, acquire ? EventKind::MutexAcquire : EventKind::MutexRelease,
                  m->curg != nullptr ? m->curg->id : 0, id);
}

void with_registry(const std::function<void(const std::map<uint64_t, RegEntry>&)>& f) {
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mu);
  f(r.objects);
}

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> text(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  std::string out = (status == 0 && text) ? text.get() : mangled;
  // The GUI shows "std::string", not the allocator-laden spelling.
  const std::string long_string = "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >";
  for (size_t at; (at = out.find(long_string)) != std::string::npos;) out.replace(at, long_string.size(), "std::string");
  return out;
}

// --- Inspector: Mutex, RWMutex, WaitGroup ------------------------------------------------

uint64_t Inspector::mutex_holder(const Mutex& m) noexcept {
  return (m.state_.load(std::memory_order_acquire) & Mutex::kLocked) ? m.holder_.load(std::memory_order_relaxed) : 0;
}

uint64_t Inspector::rwmutex_writer(const RWMutex& rw) noexcept {
  if (rw.reader_count_.load(std::memory_order_acquire) >= 0) return 0;  // no writer pending or holding
  return mutex_holder(rw.w_);
}

namespace {
void sema_waiters(const Sema& s, std::vector<std::pair<const G*, int64_t>>& out) {
  s.for_each_waiter([&](const SemaWaiter& w) { out.emplace_back(w.g, w.since); });
}
}  // namespace

void Inspector::mutex(const Mutex& m, MutexInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters) {
  const int32_t state = m.state_.load(std::memory_order_acquire);
  info.kind = "Mutex";
  info.holder = mutex_holder(m);
  info.starving = (state & Mutex::kStarving) != 0;
  info.starving_switches = m.starving_switches();
  info.normal_switches = m.normal_switches();
  sema_waiters(m.sema_, waiters);
}

void Inspector::rwmutex(const RWMutex& rw, MutexInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters) {
  info.kind = "RWMutex";
  info.holder = rwmutex_writer(rw);  // the caller clears it while that writer still waits for readers
  const int32_t count = rw.reader_count_.load(std::memory_order_acquire);
  const int32_t wait = rw.reader_wait_.load(std::memory_order_acquire);
  int readers = 0;
  sema_waiters(rw.writer_sem_, waiters);  // the pending writer, waiting for the readers to leave
  sema_waiters(rw.reader_sem_, waiters);  // readers queued behind the writer
  if (count >= 0) {
    readers = count;
  } else {
    readers = std::max(0, static_cast<int>(wait));  // readers the pending writer still waits for
  }
  info.readers = readers;
  const int32_t state = rw.w_.state_.load(std::memory_order_acquire);
  info.starving = (state & Mutex::kStarving) != 0;
  info.starving_switches = rw.w_.starving_switches();
  info.normal_switches = rw.w_.normal_switches();
  sema_waiters(rw.w_.sema_, waiters);  // writers queued for the writer lock
}

void Inspector::waitgroup(const WaitGroup& wg, SyncObjectInfo& info,
                          std::vector<std::pair<const G*, int64_t>>& waiters) {
  info.kind = "WaitGroup";
  info.value = static_cast<int32_t>(wg.state_.load(std::memory_order_acquire) >> 32);
  sema_waiters(wg.sema_, waiters);
}

// --- the object part of a snapshot -------------------------------------------------------

namespace {
// site_text() is an object's creation site in Go's words ("samples/x.cpp:12 in main.f").
std::string site_text(const std::source_location& s) { return go_site(s); }

std::vector<WaiterInfo> to_waiters(const std::vector<std::pair<const G*, int64_t>>& raw) {
  std::vector<WaiterInfo> out;
  out.reserve(raw.size());
  for (const auto& [g, since] : raw) {
    WaiterInfo w;
    w.g = g != nullptr ? g->id : 0;
    w.since_ns = since != 0 ? since : (g != nullptr ? g->state_since.load(std::memory_order_relaxed) : 0);
    out.push_back(w);
  }
  return out;
}

void fill_channel(const ChanCore& c, ChannelInfo& info) {
  info.elem_type = c.elem_type();
  info.cap = c.cap;
  info.created_at = site_text(c.where);
  auto& core = const_cast<ChanCore&>(c);
  core.lock.lock();
  info.closed = c.closed;
  info.len = c.count.load(std::memory_order_relaxed);
  try {
    std::string text;
    const size_t shown = std::min(info.len, kSnapshotBufferValues);
    for (size_t k = 0; k < shown && c.cap > 0; ++k) {
      if (!c.format_slot((c.recvx + k) % c.cap, text)) {
        info.buffer.clear();
        break;
      }
      info.buffer.push_back(text);
    }
    for (const ChanWaiter* w = c.sendq.first; w != nullptr; w = w->next) info.sendq.push_back(w->g != nullptr ? w->g->id : 0);
    for (const ChanWaiter* w = c.recvq.first; w != nullptr; w = w->next) info.recvq.push_back(w->g != nullptr ? w->g->id : 0);
  } catch (...) {
    core.lock.unlock();
    throw;
  }
  core.lock.unlock();
}
}  // namespace

void fill_objects(Snapshot& snap, uint64_t run) {
  // goroutine id -> (reason, object) of the waiting ones, to tell an RWMutex's pending writer.
  std::unordered_map<uint64_t, const GoroutineInfo*> by_id;
  for (const GoroutineInfo& g : snap.goroutines) by_id.emplace(g.id, &g);
  with_registry([&](const std::map<uint64_t, RegEntry>& objects) {
    std::vector<std::pair<const G*, int64_t>> raw;
    for (const auto& [id, e] : objects) {
      if (e.run != 0 && e.run != run) continue;
      raw.clear();
      switch (e.kind) {
        case ObjectKind::Channel: {
          ChannelInfo info;
          info.id = id;
          info.name = e.name;
          fill_channel(*static_cast<const ChanCore*>(e.object), info);
          snap.channels.push_back(std::move(info));
          break;
        }
        case ObjectKind::Mutex:
        case ObjectKind::RWMutex: {
          MutexInfo info;
          info.id = id;
          info.name = e.name;
          if (e.kind == ObjectKind::Mutex) {
            Inspector::mutex(*static_cast<const Mutex*>(e.object), info, raw);
          } else {
            Inspector::rwmutex(*static_cast<const RWMutex*>(e.object), info, raw);
            // A writer still waiting for the readers to leave does not hold the lock yet.
            auto it = by_id.find(info.holder);
            if (it != by_id.end() && it->second->wait_object == id) info.holder = 0;
          }
          info.waiters = to_waiters(raw);
          snap.mutexes.push_back(std::move(info));
          break;
        }
        case ObjectKind::WaitGroup:
        case ObjectKind::Semaphore:
        case ObjectKind::Once:
        case ObjectKind::Cond: {
          SyncObjectInfo info;
          info.id = id;
          info.name = e.name;
          if (e.kind == ObjectKind::WaitGroup) Inspector::waitgroup(*static_cast<const WaitGroup*>(e.object), info, raw);
          if (e.kind == ObjectKind::Semaphore) Inspector::semaphore(*static_cast<const Semaphore*>(e.object), info, raw);
          if (e.kind == ObjectKind::Once) Inspector::once(*static_cast<const Once*>(e.object), info, raw);
          if (e.kind == ObjectKind::Cond) Inspector::cond(*static_cast<const Cond*>(e.object), info, raw);
          info.waiters = to_waiters(raw);
          snap.sync_objects.push_back(std::move(info));
          break;
        }
      }
    }
  });
}

}  // namespace gor::detail
