// tracer.hpp — recording scheduler events (see gor/trace.hpp).
//
// Producers are the run's threads. Each M (and sysmon) owns an EventRing and is its only
// producer; the drain thread is the only consumer. Timestamps are raw TSC ticks on the hot
// path (a clock read costs up to 250 ns on these VMs, RDTSC ~20 ns); the drain thread turns
// them into engine time by interpolating between (TSC, engine ns) pairs it samples itself,
// which also follows changes of dilation.
#pragma once

#include <x86intrin.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gor/trace.hpp"

namespace gor::detail {

class Clock;

struct RawEvent {
  uint64_t tsc;
  uint64_t g, a0, a1, a2;
  int16_t p, m;
  EventKind kind;
};

// EventRing is a single-producer single-consumer ring of RawEvents.
class EventRing {
 public:
  static constexpr uint64_t kCapacity = 1 << 17;
  // kWakeAt is the fill level at which the producer asks the drain thread to come early
  // (it also drains every 2 ms on its own).
  static constexpr uint64_t kWakeAt = kCapacity / 4;
  // push() appends e. Executed only by the ring's producer thread. When the ring is full it
  // waits for the consumer (counted in `waits`): nothing is dropped. The producer reads the
  // consumer's head only when its cached copy says the ring is kWakeAt full, and wakes the
  // consumer once per kWakeAt events after that, so the common push touches no cache line
  // the consumer writes and makes no system call.
  template <class WakeConsumer>
  void push(const RawEvent& e, WakeConsumer&& wake) noexcept {
    uint64_t t = tail_.load(std::memory_order_relaxed);
    if (t - cached_head_ >= kWakeAt) [[unlikely]] {
      cached_head_ = head_.load(std::memory_order_acquire);
      if (t - cached_head_ >= kWakeAt && t - woken_at_ >= kWakeAt) {
        woken_at_ = t;
        wake();
      }
      if (t - cached_head_ >= kCapacity) {
        waits.fetch_add(1, std::memory_order_relaxed);
        wake();
        while (t - (cached_head_ = head_.load(std::memory_order_acquire)) >= kCapacity) {
          std::this_thread::yield();
        }
      }
    }
    buf_[t % kCapacity] = e;
    tail_.store(t + 1, std::memory_order_release);
  }
  // last_tsc is the producer's most recent timestamp (events emitted back to back reuse it).
  uint64_t last_tsc = 0;
  // drain() hands what was produced so far to f(const RawEvent&), in order, then frees
  // the slots. Executed only by the consumer.
  //
  // Only the events stamped at or before `tsc_limit` (all of them for UINT64_MAX): the rest,
  // written after the drain's calibration point, wait for the next drain. Otherwise they would
  // be clamped to this batch's end and could tie with, or sort before, events another ring
  // wrote earlier but that only the next drain reads (an acquire before its release).
  template <class F>
  void drain(uint64_t tsc_limit, F&& f) noexcept {
    uint64_t h = head_.load(std::memory_order_relaxed);
    uint64_t t = tail_.load(std::memory_order_acquire);
    for (; h != t; ++h) {
      const RawEvent& r = buf_[h % kCapacity];
      if (tsc_limit != UINT64_MAX && static_cast<int64_t>(r.tsc - tsc_limit) > 0) break;
      f(r);
    }
    head_.store(h, std::memory_order_release);
  }
  std::atomic<uint64_t> waits{0};

  // SiteSlot is one entry of the producer's site cache: source location -> string id.
  struct SiteSlot {
    const void* key = nullptr;
    unsigned line = 0;
    uint64_t id = 0;
  };
  // sites is a direct-mapped cache used only by the ring's producer (Tracer::site_id), so a
  // goroutine blocking at a known site costs no lock and no map lookup.
  static constexpr size_t kSiteSlots = 256;
  SiteSlot sites[kSiteSlots];

 private:
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
  uint64_t cached_head_ = 0;  // producer's copy of head_
  uint64_t woken_at_ = 0;     // producer's tail when it last woke the consumer
  RawEvent buf_[kCapacity];
};

// Tracer owns a run's rings, its string table and the drain thread.
class Tracer {
 public:
  // Tracer(clock, observer, virtual_now): with virtual_now (a deterministic run's virtual
  // time) events are stamped with it, every producer shares one ring, and there is no drain
  // thread: the producer delivers each kVirtualBatch events itself, so the observer sees the
  // same calls with the same batches on every run.
  Tracer(const Clock& clock, TraceObserver* observer, const std::atomic<int64_t>* virtual_now = nullptr);
  static constexpr uint64_t kVirtualBatch = 8192;
  // flush_virtual() delivers what a virtual-mode run recorded since the last delivery (its
  // producer's thread, e.g. when the run is paused).
  void flush_virtual() noexcept;
  // virtual_recorded() counts the events a virtual-mode run has recorded (world thread only).
  const uint64_t* virtual_recorded() const noexcept { return &virtual_recorded_; }
  ~Tracer();
  // new_ring() makes a ring for one producer thread (an M or sysmon). In virtual mode every
  // producer shares one ring: they all move on the world's thread, one at a time.
  EventRing* new_ring();

  // emit() records an event into `ring` (nullptr: the shared ring, for other threads).
  // fresh=false reuses the ring's previous timestamp (for an event emitted right after
  // another by the same thread: a RDTSC costs ~12 ns on this VM). Inline: it is the hot path.
  void emit(EventRing* ring, EventKind kind, uint64_t g, uint64_t a0, uint64_t a1, uint64_t a2, int p, int m,
            bool fresh = true) noexcept {
    if (virtual_now_ != nullptr) [[unlikely]] {
      emit_virtual(RawEvent{static_cast<uint64_t>(virtual_now_->load(std::memory_order_relaxed)), g, a0, a1, a2,
                            static_cast<int16_t>(p), static_cast<int16_t>(m), kind});
      return;
    }
    if (ring != nullptr) [[likely]] {
      uint64_t tsc = (fresh || ring->last_tsc == 0) ? __rdtsc() : ring->last_tsc;
      ring->last_tsc = tsc;
      ring->push(RawEvent{tsc, g, a0, a1, a2, static_cast<int16_t>(p), static_cast<int16_t>(m), kind},
                 [this] { wake(); });
      return;
    }
    emit_shared(RawEvent{__rdtsc(), g, a0, a1, a2, static_cast<int16_t>(p), static_cast<int16_t>(m), kind});
  }
  // intern() returns the id of a string, defining it for the observer on first use.
  uint64_t intern(const std::string& text);
  // site_id() interns "file:line in function" for a source location (cached by address).
  // `ring` (nullptr: none) is the calling thread's own ring, whose site cache is tried first.
  uint64_t site_id(const char* file, unsigned line, const char* function, EventRing* ring = nullptr);
  // stop() drains everything and stops the drain thread. Returns events delivered.
  uint64_t stop();
  uint64_t waits() const;

 private:
  void drain_loop();
  // drain_once() delivers what was stamped before now; `everything` (the last one) all of it.
  void drain_once(bool everything = false);
  void wake() noexcept;
  void emit_shared(const RawEvent& e) noexcept;
  void emit_virtual(const RawEvent& e) noexcept;
  uint64_t virtual_pending_ = 0;  // events in the ring since the last delivery (virtual mode)
  uint64_t virtual_recorded_ = 0; // events recorded in the whole run (virtual mode)

  const Clock& clock_;
  TraceObserver* observer_;
  const std::atomic<int64_t>* const virtual_now_;
  std::mutex rings_mu_;
  std::vector<std::unique_ptr<EventRing>> rings_;
  std::mutex shared_mu_;
  EventRing shared_;
  std::mutex strings_mu_;
  std::unordered_map<std::string, uint64_t> strings_;
  std::map<std::pair<const void*, unsigned>, uint64_t> sites_;
  std::vector<std::pair<uint64_t, std::string>> new_strings_;
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  // wake_flag_ is set by the first producer that asks for a drain since the last one; later
  // askers see it set and skip the lock and the notify.
  std::atomic<bool> wake_flag_{false};
  bool stopping_ = false;
  std::atomic<bool> stopped_{false};
  std::thread drainer_;
  // Calibration: TSC -> engine ns between two samples.
  uint64_t cal_tsc0_ = 0, cal_tsc1_ = 0;
  int64_t cal_ns0_ = 0, cal_ns1_ = 0;
  uint64_t delivered_ = 0;
  std::vector<Event> out_;
};

}  // namespace gor::detail
