// race_detector.cpp — the happens-before race detector (see race_detector.hpp) and the
// hooks of gor/detail/race.hpp.
#include "race_detector.hpp"
#include "go_names.hpp"

#include <cstdio>
#include <sstream>

#include "gor/panic.hpp"
#include "gor/trace.hpp"
#include "scheduler.hpp"

namespace gor::detail {

std::atomic<int> race_runs{0};

RaceDetector::RaceDetector(Scheduler* sched, bool fatal) : sched_(sched), fatal_(fatal) {
  race_runs.fetch_add(1, std::memory_order_relaxed);
}

RaceDetector::~RaceDetector() { race_runs.fetch_sub(1, std::memory_order_relaxed); }

RaceThread* RaceDetector::on_create(RaceThread* parent, uint64_t goid, std::source_location where) {
  RaceThread* t;
  {
    std::lock_guard<std::mutex> guard(mu_);
    t = &threads_.emplace_back();
    t->tid = static_cast<Tid>(threads_.size());
  }
  t->det = this;
  t->goid = goid;
  t->created_at = where;
  if (parent != nullptr) {
    // Go's racegostart: the child starts knowing everything its parent did before `go`.
    t->has_parent = true;
    parent->own();
    t->vc = parent->vc;
    ++parent->clock;
  }
  t->clock = 1;
  t->own();
  return t;
}

void RaceDetector::on_end(RaceThread* t) noexcept {
  t->finished.store(true, std::memory_order_relaxed);
  t->vc.release_memory();
  t->scratch.release_memory();
}

// --- synchronisation ----------------------------------------------------------------------

bool RaceDetector::traced() const noexcept { return sched_->tracing(); }

void RaceDetector::trace_sync(RaceThread* t, uint64_t other, uint64_t id, SyncOp op, const RaceTag& tag,
                              uint64_t sub) noexcept {
  const uint64_t code = static_cast<uint64_t>(op) | (static_cast<uint64_t>(tag.edge) << 8) | (sub << 16);
  sched_->trace(current_machine(), EventKind::RaceSync, t->goid, other, id, code);
}

void RaceDetector::acquire(RaceThread* t, SyncKey k, const RaceTag& tag) {
  const bool tr = traced();
  const uint64_t id = tr ? tag.resolve() : 0;
  SyncShard& s = sync_shard(k);
  std::lock_guard<RuntimeLock> guard(s.mu);
  auto it = s.clocks.find(k);
  if (it == s.clocks.end()) return;
  it->second.vc.share();  // every acquirer adopts the same base (vector_clock.hpp)
  t->vc.join(it->second.vc, t->scratch);
  if (tr) trace_sync(t, it->second.last, id, OpAcquire, tag, k.sub);
}

void RaceDetector::release(RaceThread* t, SyncKey k, const RaceTag& tag) {
  const bool tr = traced();
  const uint64_t id = tr ? tag.resolve() : 0;
  t->own();
  {
    SyncShard& s = sync_shard(k);
    std::lock_guard<RuntimeLock> guard(s.mu);
    SyncClock& c = s.clocks[k];
    c.vc = t->vc;  // copy-assignment reuses the clock's storage
    c.last = t->goid;
    if (tr) trace_sync(t, 0, id, OpRelease, tag, k.sub);
  }
  ++t->clock;
}

void RaceDetector::release_merge(RaceThread* t, SyncKey k, const RaceTag& tag) {
  const bool tr = traced();
  const uint64_t id = tr ? tag.resolve() : 0;
  t->own();
  {
    SyncShard& s = sync_shard(k);
    std::lock_guard<RuntimeLock> guard(s.mu);
    SyncClock& c = s.clocks[k];
    c.vc.join(t->vc, t->scratch);
    c.last = t->goid;
    if (tr) trace_sync(t, 0, id, OpReleaseMerge, tag, k.sub);
  }
  ++t->clock;
}

void RaceDetector::release_acquire(RaceThread* t, SyncKey k, const RaceTag& tag) {
  const bool tr = traced();
  const uint64_t id = tr ? tag.resolve() : 0;
  t->own();
  {
    SyncShard& s = sync_shard(k);
    std::lock_guard<RuntimeLock> guard(s.mu);
    SyncClock& c = s.clocks[k];
    std::swap(c.vc, t->swap);  // t->swap: the slot's old clock; c: storage to reuse
    c.vc = t->vc;
    if (tr) trace_sync(t, c.last, id, OpReleaseAcquire, tag, k.sub);
    c.last = t->goid;
  }
  t->vc.join(t->swap, t->scratch);
  ++t->clock;
}

void RaceDetector::sync_pair(RaceThread* a, RaceThread* b, const RaceTag& tag) {
  if (traced()) {
    // Both goroutines are held still (b is parked, a is the caller): no lock orders this event.
    trace_sync(a, b->goid, tag.resolve(), OpSync, tag, 0);
  }
  a->own();
  b->own();
  VectorClock before = a->vc;
  a->vc.join(b->vc, a->scratch);
  b->vc.join(before, b->scratch);
  ++a->clock;
  ++b->clock;
}

void RaceDetector::free_sync(uintptr_t addr, uint64_t subs) noexcept {
  for (uint64_t sub = 0; sub < subs; ++sub) {
    const SyncKey k{addr, sub};
    SyncShard& s = sync_shard(k);
    std::lock_guard<RuntimeLock> guard(s.mu);
    s.clocks.erase(k);
  }
}

size_t RaceDetector::sync_clocks() const {
  size_t n = 0;
  for (const SyncShard& s : sync_) {
    std::lock_guard<RuntimeLock> guard(const_cast<RuntimeLock&>(s.mu));
    n += s.clocks.size();
  }
  return n;
}

// --- memory -------------------------------------------------------------------------------

void RaceDetector::access(RaceThread* t, const void* addr, size_t size, bool write, std::source_location where,
                          const char* name, bool channel) {
  if (size == 0) return;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(addr);
  const uintptr_t end = begin + size;  // exclusive
  std::vector<Found> found;
  for (uintptr_t g = begin >> 3; g <= (end - 1) >> 3; ++g) {
    const uintptr_t lo = std::max(begin, g << 3), hi = std::min(end, (g + 1) << 3);
    const uint8_t mask = static_cast<uint8_t>(((1u << (hi - lo)) - 1u) << (lo & 7));
    const Access cur{t->tid, t->clock, mask, write, where};
    ShadowShard& s = shadow_[shard_of(g)];
    std::lock_guard<RuntimeLock> guard(s.mu);
    std::vector<Access>& acc = s.cells[g].acc;
    // FastTrack's fast path: the same epoch did the same access already.
    if (acc.size() == 1 && acc[0].tid == cur.tid && acc[0].clock == cur.clock && acc[0].mask == mask &&
        (acc[0].write || !write)) {
      continue;
    }
    size_t keep = 0;
    for (size_t i = 0; i < acc.size(); ++i) {
      const Access& a = acc[i];
      const bool overlap = (a.mask & mask) != 0;
      const bool ordered = a.tid == cur.tid || a.clock <= t->vc.get(a.tid);
      if (overlap && (write || a.write) && !ordered) found.push_back(Found{a, lo});
      // An earlier access ordered before this one and covering no byte this one misses is
      // subsumed: whatever would race with it races with this one (a write subsumes reads
      // and writes, a read only reads).
      const bool subsumed = ordered && (a.mask & ~mask) == 0 && (write || !a.write);
      if (!subsumed) acc[keep++] = a;
    }
    acc.resize(keep);
    acc.push_back(cur);
  }
  for (const Found& f : found) report(t, Access{t->tid, t->clock, 0, write, where}, f, size, name, channel);
}

void RaceDetector::free(const void* addr, size_t size) noexcept {
  if (size == 0) return;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(addr);
  const uintptr_t end = begin + size;
  for (uintptr_t g = begin >> 3; g <= (end - 1) >> 3; ++g) {
    ShadowShard& s = shadow_[shard_of(g)];
    std::lock_guard<RuntimeLock> guard(s.mu);
    s.cells.erase(g);
  }
}

// --- reports ------------------------------------------------------------------------------

// frame() is one frame of a report as Go's race detector prints it, with a project-relative
// path and a Go-style function name (go_names.hpp):
//   "  main.worker.func()\n      samples/race_counter.cpp:42\n"
std::string RaceDetector::frame(std::source_location s) {
  const bool known = s.file_name() != nullptr && s.file_name()[0] != '\0';
  const std::string path = known ? project_path(s.file_name()) : std::string("?");
  std::string out = "  ";
  out += s.function_name() != nullptr && s.function_name()[0] != '\0'
             ? go_function_name(s.function_name(), path.starts_with("engine/") ? "gor" : "main")
             : std::string("?");
  out += "()\n      ";
  out += path;
  out += ':';
  out += std::to_string(s.line());
  out += '\n';
  return out;
}

void RaceDetector::report(RaceThread* t, const Access& cur, const Found& f, size_t size, const char* name,
                          bool channel) {
  {
    // Fast path: this goroutine already met this pair of sites (compared by the addresses of
    // their static data and lines; the global check below compares texts).
    auto h = [](std::source_location s) {
      return reinterpret_cast<uintptr_t>(s.file_name()) * 31 + s.line() * 0x9E3779B97F4A7C15ull +
             reinterpret_cast<uintptr_t>(s.function_name());
    };
    const uint64_t a = h(cur.where), b = h(f.prev.where);
    if (!t->reported.insert(std::min(a, b) * 0xBF58476D1CE4E5B9ull ^ std::max(a, b)).second) return;
  }
  auto site = [](std::source_location s) { return std::string(s.file_name()) + ":" + std::to_string(s.line()); };
  std::string a = site(cur.where), b = site(f.prev.where);
  const std::string key = a < b ? a + "|" + b : b + "|" + a;
  uint64_t other_goid = 0;
  std::string text;
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (!seen_.insert(key).second) return;
    const RaceThread& o = threads_[f.prev.tid - 1];
    other_goid = o.goid;
    char addr[32];
    std::snprintf(addr, sizeof addr, "0x%012llx", static_cast<unsigned long long>(f.addr));
    auto who = [](uint64_t goid) { return goid == 1 ? std::string("main goroutine") : "goroutine " + std::to_string(goid); };
    std::ostringstream os;
    os << "==================\nWARNING: DATA RACE\n";
    // A channel's accesses are its operations: Go's report shows the runtime function on top.
    auto op = [&](bool write) -> std::string {
      if (!channel) return "";
      return write ? "  runtime.closechan()\n" : "  runtime.chansend()\n";
    };
    os << (cur.write ? "Write" : "Read") << " at " << addr << " by " << who(t->goid) << ":\n"
       << op(cur.write) << frame(cur.where) << "\n";
    os << "Previous " << (f.prev.write ? "write" : "read") << " at " << addr << " by " << who(o.goid) << ":\n"
       << op(f.prev.write) << frame(f.prev.where) << "\n";
    if (channel) {
      os << "Location is channel";
      if (name != nullptr && name[0] != '\0') os << " \"" << name << "\"";
      os << " at " << addr << "\n\n";
    } else if (name != nullptr) {
      os << "Location is Shared \"" << name << "\" of size " << size << " at " << addr << "\n\n";
    }
    auto created = [&](const RaceThread& r, bool running) {
      if (!r.has_parent) return;  // main: Go prints no creation stack for it
      os << "Goroutine " << r.goid << " (" << (running ? "running" : "finished") << ") created at:\n"
         << frame(r.created_at) << "\n";
    };
    created(*t, true);
    created(o, !o.finished.load(std::memory_order_relaxed));
    text = os.str();
    if (text.size() >= 2 && text.back() == '\n' && text[text.size() - 2] == '\n') text.pop_back();
    text += "==================\n";
    reports_.push_back(text);
  }
  if (sched_->tracing()) {
    sched_->trace(current_machine(), EventKind::Race, t->goid, other_goid, sched_->trace_site(cur.where),
                  sched_->trace_string(text));
  }
  if (fatal_) detail::fatal("race detected");  // recorded before the throw: not recoverable
}

size_t RaceDetector::races() const {
  std::lock_guard<std::mutex> guard(mu_);
  return reports_.size();
}

std::vector<std::string> RaceDetector::reports() const {
  std::lock_guard<std::mutex> guard(mu_);
  return reports_;
}

// --- hooks (gor/detail/race.hpp) ----------------------------------------------------------

RaceThread* race_thread_of(const G* g) noexcept { return g != nullptr ? g->race : nullptr; }

namespace {
RaceThread* self() noexcept { return race_thread_of(current_g()); }
RaceDetector::SyncKey key(const void* addr, uint64_t sub) noexcept {
  return RaceDetector::SyncKey{reinterpret_cast<uintptr_t>(addr), sub};
}
}  // namespace

// The hooks allocate (vector clocks); an allocation failure is fatal, as in Go.
void race_acquire(const void* addr, uint64_t sub, RaceTag tag) noexcept {
  if (RaceThread* t = self()) t->det->acquire(t, key(addr, sub), tag);
}
void race_release(const void* addr, uint64_t sub, RaceTag tag) noexcept {
  if (RaceThread* t = self()) t->det->release(t, key(addr, sub), tag);
}
void race_release_merge(const void* addr, uint64_t sub, RaceTag tag) noexcept {
  if (RaceThread* t = self()) t->det->release_merge(t, key(addr, sub), tag);
}
void race_release_acquire(const void* addr, uint64_t sub, RaceTag tag) noexcept {
  if (RaceThread* t = self()) t->det->release_acquire(t, key(addr, sub), tag);
}
void race_acquire_for(const G* g, const void* addr, uint64_t sub, RaceTag tag) noexcept {
  if (RaceThread* t = race_thread_of(g)) t->det->acquire(t, key(addr, sub), tag);
}
void race_release_acquire_for(const G* g, const void* addr, uint64_t sub, RaceTag tag) noexcept {
  if (RaceThread* t = race_thread_of(g)) t->det->release_acquire(t, key(addr, sub), tag);
}
void race_sync_with(const G* g, RaceTag tag) noexcept {
  RaceThread* a = self();
  RaceThread* b = race_thread_of(g);
  if (a != nullptr && b != nullptr) a->det->sync_pair(a, b, tag);
}

void race_access(const void* addr, size_t size, bool write, std::source_location where, const char* name) {
  if (RaceThread* t = self()) t->det->access(t, addr, size, write, where, name);
}

void race_chan_access(const void* c, bool write, std::source_location where, const char* name) {
  if (RaceThread* t = self()) t->det->access(t, c, 1, write, where, name, /*channel=*/true);
}

void race_free_sync(const void* addr, uint64_t subs) noexcept {
  if (RaceThread* t = self()) t->det->free_sync(reinterpret_cast<uintptr_t>(addr), subs);
}

void race_free(const void* addr, size_t size) noexcept {
  if (RaceThread* t = self()) t->det->free(addr, size);
}

}  // namespace gor::detail
