// tracer.cpp — the drain thread, the string table and the observers' helpers.
#include "tracer.hpp"

#include <algorithm>
#include <chrono>

#include "go_names.hpp"
#include "scheduler.hpp"

namespace gor {

const char* event_kind_name(EventKind k) noexcept {
  switch (k) {
    case EventKind::GoCreate: return "go_create";
    case EventKind::GoStart: return "go_start";
    case EventKind::GoBlock: return "go_block";
    case EventKind::GoYield: return "go_yield";
    case EventKind::GoPreempted: return "go_preempted";
    case EventKind::GoUnblock: return "go_unblock";
    case EventKind::GoEnd: return "go_end";
    case EventKind::Steal: return "steal";
    case EventKind::ProcIdle: return "proc_idle";
    case EventKind::ProcBusy: return "proc_busy";
    case EventKind::MSpinning: return "m_spinning";
    case EventKind::MPark: return "m_park";
    case EventKind::MWake: return "m_wake";
    case EventKind::MCreate: return "m_create";
    case EventKind::SyscallEnter: return "syscall_enter";
    case EventKind::SyscallExit: return "syscall_exit";
    case EventKind::Handoff: return "handoff";
    case EventKind::PreemptRequest: return "preempt_request";
    case EventKind::Gomaxprocs: return "gomaxprocs";
    case EventKind::StopTheWorld: return "stop_the_world";
    case EventKind::TimerFire: return "timer_fire";
    case EventKind::ChanSend: return "chan_send";
    case EventKind::ChanRecv: return "chan_recv";
    case EventKind::ChanClose: return "chan_close";
    case EventKind::MutexMode: return "mutex_mode";
    case EventKind::Log: return "log";
    case EventKind::RunEnd: return "run_end";
    case EventKind::ObjectCreate: return "object_create";
    case EventKind::ObjectDestroy: return "object_destroy";
    case EventKind::MutexAcquire: return "mutex_acquire";
    case EventKind::MutexRelease: return "mutex_release";
    case EventKind::PartialDeadlock: return "partial_deadlock";
    case EventKind::Race: return "race";
    case EventKind::TimerAdd: return "timer_add";
    case EventKind::TimerStop: return "timer_stop";
    case EventKind::Select: return "select";
    case EventKind::ContextCancel: return "context_cancel";
    case EventKind::RegionBegin: return "region_begin";
    case EventKind::RegionEnd: return "region_end";
    case EventKind::StealMove: return "steal_move";
    case EventKind::RaceSync: return "race_sync";
    case EventKind::RunqFromGlobal: return "runq_from_global";
    case EventKind::RunqOverflow: return "runq_overflow";
    case EventKind::RunqToGlobalHead: return "runq_to_global_head";
    case EventKind::ChanType: return "chan_type";
    case EventKind::ObjectValue: return "object_value";
    case EventKind::ProcStop: return "proc_stop";
    case EventKind::Count_: break;
  }
  return "unknown";
}

void TraceRecorder::on_string(uint64_t id, const std::string& text) {
  std::lock_guard<std::mutex> guard(mu_);
  if (strings_.size() <= id) strings_.resize(id + 1);
  strings_[id] = text;
}

void TraceRecorder::on_events(const Event* events, size_t count) {
  std::lock_guard<std::mutex> guard(mu_);
  events_.insert(events_.end(), events, events + count);
}

std::vector<Event> TraceRecorder::events() const {
  std::lock_guard<std::mutex> guard(mu_);
  std::vector<Event> sorted = events_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Event& a, const Event& b) { return a.ts < b.ts; });
  return sorted;
}

std::string TraceRecorder::string(uint64_t id) const {
  std::lock_guard<std::mutex> guard(mu_);
  return id < strings_.size() ? strings_[id] : std::string();
}

size_t TraceRecorder::count(EventKind k) const {
  std::lock_guard<std::mutex> guard(mu_);
  return static_cast<size_t>(std::count_if(events_.begin(), events_.end(), [k](const Event& e) { return e.kind == k; }));
}

}  // namespace gor

namespace gor::detail {

Tracer::Tracer(const Clock& clock, TraceObserver* observer, const std::atomic<int64_t>* virtual_now)
    : clock_(clock), observer_(observer), virtual_now_(virtual_now) {
  cal_tsc0_ = cal_tsc1_ = __rdtsc();
  cal_ns0_ = cal_ns1_ = clock_.now();
  if (virtual_now_ != nullptr) {
    rings_.push_back(std::make_unique<EventRing>());  // the one ring of a deterministic run
    return;
  }
  drainer_ = std::thread([this] { drain_loop(); });
}

void Tracer::flush_virtual() noexcept {
  if (virtual_pending_ == 0 || stopped_.load()) return;
  virtual_pending_ = 0;
  drain_once(/*everything=*/true);
}

void Tracer::emit_virtual(const RawEvent& e) noexcept {
  // Only the world's thread emits (one actor at a time): no other thread touches the ring.
  rings_.front()->push(e, [] {});
  ++virtual_recorded_;
  if (++virtual_pending_ >= kVirtualBatch) {
    virtual_pending_ = 0;
    drain_once(/*everything=*/true);
  }
}

Tracer::~Tracer() { stop(); }

EventRing* Tracer::new_ring() {
  std::lock_guard<std::mutex> guard(rings_mu_);
  if (virtual_now_ != nullptr && !rings_.empty()) return rings_.front().get();
  rings_.push_back(std::make_unique<EventRing>());
  return rings_.back().get();
}

void Tracer::wake() noexcept {
  if (wake_flag_.exchange(true, std::memory_order_acq_rel)) return;  // a drain is already asked for
  std::lock_guard<std::mutex> guard(wake_mu_);  // the drain thread tests the flag under it
  wake_cv_.notify_one();
}

void Tracer::emit_shared(const RawEvent& e) noexcept {
  std::lock_guard<std::mutex> guard(shared_mu_);
  shared_.push(e, [this] { wake(); });
}

uint64_t Tracer::intern(const std::string& text) {
  std::lock_guard<std::mutex> guard(strings_mu_);
  auto it = strings_.find(text);
  if (it != strings_.end()) return it->second;
  uint64_t id = strings_.size() + 1;
  strings_.emplace(text, id);
  new_strings_.emplace_back(id, text);
  return id;
}

uint64_t Tracer::site_id(const char* file, unsigned line, const char* function, EventRing* ring) {
  if (file == nullptr || line == 0) return 0;
  const void* key = function != nullptr ? static_cast<const void*>(function) : static_cast<const void*>(file);
  EventRing::SiteSlot* slot = nullptr;
  if (ring != nullptr) {
    // The producer's own cache: no lock (only this thread touches ring->sites).
    // Mix the line in before multiplying: sites in one function (or in lambdas of one
    // function, which share their function_name() text) differ only by line.
    uint64_t h = ((reinterpret_cast<uintptr_t>(key) >> 3) ^ (static_cast<uint64_t>(line) << 24)) * 0x9E3779B97F4A7C15ull;
    slot = &ring->sites[(h >> 56) % EventRing::kSiteSlots];
    if (slot->key == key && slot->line == line) return slot->id;
  }
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> guard(strings_mu_);
    auto it = sites_.find({key, line});
    if (it != sites_.end()) id = it->second;
  }
  if (id == 0) {
    id = intern(go_site(file, line, function));  // "samples/x.cpp:12 in main.f"
    std::lock_guard<std::mutex> guard(strings_mu_);
    sites_[{key, line}] = id;
  }
  if (slot != nullptr) *slot = EventRing::SiteSlot{key, line, id};
  return id;
}

void Tracer::drain_once(bool everything) {
  // New calibration point first: every event drained below was stamped before it (the ones
  // stamped after it stay in their rings for the next drain, see EventRing::drain).
  cal_tsc0_ = cal_tsc1_;
  cal_ns0_ = cal_ns1_;
  cal_tsc1_ = __rdtsc();
  cal_ns1_ = clock_.now();
  const double span_tsc = static_cast<double>(cal_tsc1_ - cal_tsc0_);
  const double span_ns = static_cast<double>(cal_ns1_ - cal_ns0_);
  const double ns_per_tick = span_tsc > 0 ? span_ns / span_tsc : 0.0;
  const int64_t lo = cal_ns0_, hi = std::max(cal_ns1_, cal_ns0_);
  const uint64_t tsc0 = cal_tsc0_;
  const uint64_t limit = everything || virtual_now_ != nullptr ? UINT64_MAX : cal_tsc1_;
  const bool virtual_time = virtual_now_ != nullptr;
  out_.clear();
  // Each raw event is converted straight out of its ring (one copy, no staging vector).
  auto convert = [&](const RawEvent& r) {
    double dt = static_cast<double>(static_cast<int64_t>(r.tsc - tsc0));
    int64_t ts = virtual_time ? static_cast<int64_t>(r.tsc)
                              : std::clamp<int64_t>(lo + static_cast<int64_t>(dt * ns_per_tick), lo, hi);
    out_.push_back(Event{ts, r.g, r.a0, r.a1, r.a2, r.p, r.m, r.kind});
  };
  {
    std::lock_guard<std::mutex> guard(rings_mu_);
    for (auto& r : rings_) r->drain(limit, convert);
  }
  {
    std::lock_guard<std::mutex> guard(shared_mu_);
    shared_.drain(limit, convert);
  }
  // Strings after the events: every string an event drained above uses was interned before
  // that event was emitted, so it is in new_strings_ now and reaches the observer first.
  std::vector<std::pair<uint64_t, std::string>> strings;
  {
    std::lock_guard<std::mutex> guard(strings_mu_);
    strings.swap(new_strings_);
  }
  if (observer_ != nullptr) {
    for (auto& [id, text] : strings) observer_->on_string(id, text);
  }
  if (out_.empty()) return;
  delivered_ += out_.size();
  if (observer_ != nullptr) observer_->on_events(out_.data(), out_.size());
}

void Tracer::drain_loop() {
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock<std::mutex> guard(wake_mu_);
      wake_cv_.wait_for(guard, std::chrono::milliseconds(2),
                        [this] { return wake_flag_.load(std::memory_order_acquire) || stopping_; });
      wake_flag_.store(false, std::memory_order_release);
      stopping = stopping_;
    }
    drain_once(/*everything=*/stopping);  // the run is over when stopping: nothing comes after
    if (stopping) return;
  }
}

uint64_t Tracer::stop() {
  if (virtual_now_ != nullptr) {
    if (!stopped_.exchange(true)) drain_once(/*everything=*/true);
    return delivered_;
  }
  if (!stopped_.exchange(true)) {
    {
      std::lock_guard<std::mutex> guard(wake_mu_);
      stopping_ = true;
      wake_cv_.notify_one();
    }
    drainer_.join();
  }
  return delivered_;
}

uint64_t Tracer::waits() const {
  uint64_t n = shared_.waits.load();
  for (auto& r : rings_) n += r->waits.load();
  return n;
}

}  // namespace gor::detail
