// race.hpp (detail) — the race detector's hooks in the engine's primitives. Internal API:
// user code uses <gor/race.hpp> (gor::Shared, gor::race_read, gor::race_write).
//
// Every hook is guarded at its call site by race_active(), one relaxed load of a process-wide
// counter of runs with Config::race on, and one predictable branch when it is zero (as
// tracing_active() guards trace events). Past that branch a hook does nothing unless the
// calling goroutine belongs to a run with the detector on.
//
// The synchronisation hooks follow Go's race annotations (runtime/race.go, sync/*.go): a
// sync object is identified by an address (and a sub-index, e.g. a channel's buffer slot);
// the detector keeps a vector clock per (address, sub) in its own table, so a hook never
// touches the object itself and the object may be destroyed as soon as a waiter returns.
//   release (store):  S = C(g);            then g's own clock ticks   (Go's race.Release)
//   release_merge:    S = S ⊔ C(g);        then g's own clock ticks   (race.ReleaseMerge)
//   acquire:          C(g) = C(g) ⊔ S                                  (race.Acquire)
//   release_acquire:  S, C(g) = C(g), C(g) ⊔ S (a channel buffer slot: racereleaseacquire)
// A releaser calls its hook before the operation that lets another goroutine proceed; an
// acquirer calls its hook after the operation that observed it. The *_for variants act on
// behalf of a parked goroutine `g` that the caller is about to ready (Go's raceacquireg).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <source_location>

#include "gor/detail/object_id.hpp"

namespace gor::detail {

struct G;

// RaceEdge is what a synchronisation hook stands for: RaceSync's edge code (a2 bits 8-15),
// stable numbers (.gortrace files and the GUI rely on them).
enum class RaceEdge : uint8_t {
  Unknown = 0,
  Chan = 1,        // an unbuffered channel handoff (both ways)
  ChanSlot = 2,    // a buffered channel's slot: send -> its receive, k-th receive -> (k+cap)-th send
  ChanClose = 3,   // close -> a receive that observes it
  Mutex = 4,       // Mutex unlock -> the next lock
  RWMutex = 5,     // RWMutex unlock -> the next rlock or lock
  RWMutexRead = 6, // RWMutex runlock -> the next lock
  WaitGroup = 7,   // done() -> wait() returns
  Once = 8,        // Once's function -> every call() return
  Cond = 9,        // Signal/Broadcast -> Wait returns
  Semaphore = 10,  // release -> a later acquire
  Context = 11,    // cancel -> an err() that observes it
};

// RaceTag names the object of a hook for RaceSync trace events: its edge kind and either a
// known object id or a lazily assigned one (resolved only when the run is traced).
struct RaceTag {
  RaceEdge edge = RaceEdge::Unknown;
  uint64_t id = 0;
  ObjectId* oid = nullptr;
  ObjectKind kind = ObjectKind::Channel;
  const void* object = nullptr;
  uint64_t resolve() const noexcept { return id != 0 ? id : (oid != nullptr ? oid->get(kind, object) : 0); }
};
inline RaceTag race_tag(RaceEdge e, uint64_t id) noexcept { return RaceTag{e, id, nullptr, ObjectKind::Channel, nullptr}; }
inline RaceTag race_tag(RaceEdge e, ObjectId& oid, ObjectKind kind, const void* object) noexcept {
  return RaceTag{e, 0, &oid, kind, object};
}

// race_runs counts runs with Config::race on in this process.
extern std::atomic<int> race_runs;
inline bool race_active() noexcept { return race_runs.load(std::memory_order_relaxed) != 0; }

// In a traced run each hook records a RaceSync event (gor/trace.hpp) naming `tag`'s object.
void race_acquire(const void* addr, uint64_t sub = 0, RaceTag tag = {}) noexcept;
void race_release(const void* addr, uint64_t sub = 0, RaceTag tag = {}) noexcept;
void race_release_merge(const void* addr, uint64_t sub = 0, RaceTag tag = {}) noexcept;
void race_release_acquire(const void* addr, uint64_t sub = 0, RaceTag tag = {}) noexcept;
void race_acquire_for(const G* g, const void* addr, uint64_t sub = 0, RaceTag tag = {}) noexcept;
void race_release_acquire_for(const G* g, const void* addr, uint64_t sub = 0, RaceTag tag = {}) noexcept;
// race_sync_with() is an unbuffered channel handoff between the caller and parked goroutine
// g: each happens before the other's operation completes (Go's racesync).
void race_sync_with(const G* g, RaceTag tag = {}) noexcept;

// race_access() records a read or write of [addr, addr+size) by the calling goroutine at
// `where` and reports a race with an earlier unordered conflicting access. `name` names the
// object in reports (nullptr: none). May throw FatalError("race detected") (Config::race_fatal).
void race_access(const void* addr, size_t size, bool write, std::source_location where, const char* name);
// race_free_sync() forgets the sync clocks of addr, sub-indices [0, subs): the object is being
// destroyed (its memory may hold another object next). Destructors call it.
void race_free_sync(const void* addr, uint64_t subs = 1) noexcept;
// race_chan_access() records an operation on channel c as an access to the channel itself (Go's
// chan.go: racereadpc(c.raceaddr()) in chansend and select's send cases, racewritepc in
// closechan): close writes, send reads, so a send that close does not happen before (or the
// other way round) is reported as a data race on the channel. `name` is the channel's name
// ("" for none). May throw FatalError like race_access: call it with no lock held.
void race_chan_access(const void* c, bool write, std::source_location where, const char* name);
// race_free() forgets the accesses to [addr, addr+size) (memory about to be reused).
void race_free(const void* addr, size_t size) noexcept;

}  // namespace gor::detail
