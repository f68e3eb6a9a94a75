// race_detector.hpp — the happens-before race detector of a run (Config::race).
//
// FastTrack (Flanagan & Freund, PLDI 2009) over the engine's own synchronisation:
//   - Each goroutine has a RaceThread: a race id (tid), its own logical clock and a vector
//     clock C of what it knows about the others. `go` copies the parent's clock into the
//     child; the hooks of detail/race.hpp add Go's memory-model edges through sync clocks
//     kept per (address, sub) in a sharded table.
//   - Shadow memory: per 8-byte granule, the recent accesses that no later access subsumes,
//     each an epoch (tid@clock), a byte mask, read/write and the source site. Usually that is
//     one entry (the last write, or the last read: FastTrack's epoch), several only for
//     concurrent reads (its read vector). An access conflicts with an entry when their bytes
//     overlap and one of them writes; it races when the entry's epoch is not covered by C.
//   - The shadow table is sharded by granule with one mutex per shard: goroutines run on
//     several OS threads at once.
// A RaceThread's clocks are touched only by its goroutine, or by a goroutine that is about to
// ready it while it is parked (the *_for hooks): ready() orders that before it resumes.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gor/detail/park.hpp"
#include "gor/detail/race.hpp"
#include "vector_clock.hpp"

namespace gor::detail {

struct G;
class Scheduler;
class RaceDetector;

// RaceThread is one goroutine as the detector sees it (lives until the run ends).
struct RaceThread {
  RaceDetector* det = nullptr;
  Tid tid = 0;
  uint32_t clock = 1;          // own component (the vector clock's copy may lag: see own())
  VectorClock vc;
  VectorClock scratch;         // reused by joins
  VectorClock swap;            // reused by release_acquire (the slot's previous clock)
  // reported: the site pairs this goroutine has reported or seen reported (no lock: a
  // repeated race costs no global lock and no allocation).
  std::unordered_set<uint64_t> reported;
  uint64_t goid = 0;
  std::source_location created_at;
  bool has_parent = false;
  std::atomic<bool> finished{false};
  // own() brings vc's own component up to date (before vc is published).
  void own() { vc.set(tid, clock); }
};

class RaceDetector {
 public:
  RaceDetector(Scheduler* sched, bool fatal);
  ~RaceDetector();
  RaceDetector(const RaceDetector&) = delete;
  RaceDetector& operator=(const RaceDetector&) = delete;

  // on_create() makes the RaceThread of a new goroutine; the parent's creation happens
  // before the child's first step (parent nullptr: main).
  RaceThread* on_create(RaceThread* parent, uint64_t goid, std::source_location where);
  void on_end(RaceThread* t) noexcept;

  struct SyncKey {
    uintptr_t addr;
    uint64_t sub;
    bool operator==(const SyncKey&) const = default;
  };
  // The sync operations (detail/race.hpp). In a traced run each records a RaceSync event
  // naming tag's object (resolved before any detector lock is taken).
  void acquire(RaceThread* t, SyncKey k, const RaceTag& tag);
  void release(RaceThread* t, SyncKey k, const RaceTag& tag);
  void release_merge(RaceThread* t, SyncKey k, const RaceTag& tag);
  void release_acquire(RaceThread* t, SyncKey k, const RaceTag& tag);
  void sync_pair(RaceThread* a, RaceThread* b, const RaceTag& tag);
  // free_sync() drops the clocks of (addr, 0..subs-1): the object is destroyed.
  void free_sync(uintptr_t addr, uint64_t subs) noexcept;
  // sync_clocks() is how many sync clocks are kept (tests).
  size_t sync_clocks() const;

  // RaceSync's operation codes (a2 bits 0-7).
  enum SyncOp : uint8_t { OpAcquire = 1, OpRelease = 2, OpReleaseMerge = 3, OpReleaseAcquire = 4, OpSync = 5 };

  // access() records a read or write; `channel`: addr is a channel and the access one of its
  // operations (a write is close, a read a send), `name` its name.
  void access(RaceThread* t, const void* addr, size_t size, bool write, std::source_location where,
              const char* name, bool channel = false);
  void free(const void* addr, size_t size) noexcept;

  size_t races() const;
  std::vector<std::string> reports() const;

 private:
  struct Access {
    Tid tid;
    uint32_t clock;
    uint8_t mask;
    bool write;
    std::source_location where;
  };
  struct Cell {
    std::vector<Access> acc;
  };
  struct KeyHash {
    size_t operator()(const SyncKey& k) const noexcept {
      uint64_t h = (k.addr ^ (k.sub * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
      return static_cast<size_t>(h ^ (h >> 31));
    }
  };
  static constexpr size_t kShards = 64;
  // The shard locks are RuntimeLocks: critical sections are a hash lookup and a few compares,
  // and a contended std::mutex would sleep in the kernel (racycounter: 5x slower).
  struct alignas(64) ShadowShard {
    RuntimeLock mu;
    std::unordered_map<uintptr_t, Cell> cells;
  };
  // SyncClock is one sync object's clock and the goroutine that last released into it (RaceSync's a0).
  struct SyncClock {
    VectorClock vc;
    uint64_t last = 0;
  };
  struct alignas(64) SyncShard {
    RuntimeLock mu;
    std::unordered_map<SyncKey, SyncClock, KeyHash> clocks;
  };
  struct Found {
    Access prev;
    uintptr_t addr;
  };
  static size_t shard_of(uintptr_t granule) noexcept {
    return static_cast<size_t>((granule * 0x9E3779B97F4A7C15ull) >> 58) % kShards;
  }
  SyncShard& sync_shard(const SyncKey& k) noexcept { return sync_[KeyHash{}(k) % kShards]; }
  // traced() is whether the run records trace events.
  bool traced() const noexcept;
  // trace_sync() records a RaceSync event of t (call with the clock's shard lock held, so that
  // events of one clock are in the order the detector applied them).
  void trace_sync(RaceThread* t, uint64_t other, uint64_t id, SyncOp op, const RaceTag& tag, uint64_t sub) noexcept;
  void report(RaceThread* t, const Access& cur, const Found& f, size_t size, const char* name, bool channel);
  static std::string frame(std::source_location s);

  Scheduler* sched_;
  const bool fatal_;
  std::array<ShadowShard, kShards> shadow_;
  std::array<SyncShard, kShards> sync_;

  mutable std::mutex mu_;  // guards the fields below
  std::deque<RaceThread> threads_;  // by tid - 1
  std::unordered_set<std::string> seen_;  // site pairs already reported
  std::vector<std::string> reports_;
};

// race_thread_of() is g's RaceThread (nullptr when its run has race off).
RaceThread* race_thread_of(const G* g) noexcept;

}  // namespace gor::detail
