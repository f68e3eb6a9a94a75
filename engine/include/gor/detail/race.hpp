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

namespace gor::detail {

struct G;

// race_runs counts runs with Config::race on in this process.
extern std::atomic<int> race_runs;
inline bool race_active() noexcept { return race_runs.load(std::memory_order_relaxed) != 0; }

void race_acquire(const void* addr, uint64_t sub = 0) noexcept;
void race_release(const void* addr, uint64_t sub = 0) noexcept;
void race_release_merge(const void* addr, uint64_t sub = 0) noexcept;
void race_release_acquire(const void* addr, uint64_t sub = 0) noexcept;
void race_acquire_for(const G* g, const void* addr, uint64_t sub = 0) noexcept;
void race_release_acquire_for(const G* g, const void* addr, uint64_t sub = 0) noexcept;
// race_sync_with() is an unbuffered channel handoff between the caller and parked goroutine
// g: each happens before the other's operation completes (Go's racesync).
void race_sync_with(const G* g) noexcept;

// race_access() records a read or write of [addr, addr+size) by the calling goroutine at
// `where` and reports a race with an earlier unordered conflicting access. `name` names the
// object in reports (nullptr: none). May throw FatalError("race detected") (Config::race_fatal).
void race_access(const void* addr, size_t size, bool write, std::source_location where, const char* name);
// race_free() forgets the accesses to [addr, addr+size) (memory about to be reused).
void race_free(const void* addr, size_t size) noexcept;

}  // namespace gor::detail
