// run_queue.hpp — a P's local run queue (Go's p.runq/runqhead/runqtail/runnext).
//
// A lock-free ring of 256 goroutines. Invariants (enforced below):
//   - tail is written only by the owner P (put, and steal_into when this P is the thief);
//   - head is advanced by CAS, by the owner (get) and by thieves (grab);
//   - 0 <= tail - head <= kCapacity at every instant a consistent pair is read;
//   - runnext holds at most one goroutine that runs before the ring (it inherits the time
//     slice of the goroutine that readied it). Thieves take runnext only as a last resort.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "gor/detail/park.hpp"

namespace gor::detail {

struct G;

class RunQueue {
 public:
  static constexpr uint32_t kCapacity = 256;

  // put() appends g at the tail. Executed only by the owner P. Returns false when the ring
  // is full; the caller then moves half of it to the global queue (put_slow in Go).
  bool put(G* g) noexcept {
    uint32_t h = head_.load(std::memory_order_acquire);
    uint32_t t = tail_.load(std::memory_order_relaxed);
    if (t - h < kCapacity) {
      ring_[t % kCapacity].store(g, std::memory_order_relaxed);
      tail_.store(t + 1, std::memory_order_release);
      return true;
    }
    return false;
  }

  // take_half_for_global() removes half of a full ring into out[0..n) (owner only) and
  // returns n, or 0 if the ring changed meanwhile (a thief took some: retry put()).
  uint32_t take_half_for_global(G** out) noexcept {
    uint32_t h = head_.load(std::memory_order_acquire);
    uint32_t t = tail_.load(std::memory_order_relaxed);
    uint32_t n = (t - h) / 2;
    if (n != kCapacity / 2) return 0;
    for (uint32_t i = 0; i < n; ++i) out[i] = ring_[(h + i) % kCapacity].load(std::memory_order_relaxed);
    if (!head_.compare_exchange_strong(h, h + n, std::memory_order_release, std::memory_order_relaxed)) return 0;
    return n;
  }

  // put_next() puts g in runnext and returns the goroutine it kicked out (or nullptr).
  // Executed only by the owner P (or with the P stopped).
  G* put_next(G* g) noexcept { return runnext_.exchange(g, std::memory_order_acq_rel); }

  // get() takes runnext, else the head of the ring. `inherit` says it came from runnext.
  // Executed only by the owner P.
  G* get(bool& inherit) noexcept {
    G* next = runnext_.load(std::memory_order_relaxed);
    if (next != nullptr && runnext_.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) {
      inherit = true;
      return next;
    }
    inherit = false;
    for (;;) {
      uint32_t h = head_.load(std::memory_order_acquire);
      uint32_t t = tail_.load(std::memory_order_relaxed);
      if (t == h) return nullptr;
      G* g = ring_[h % kCapacity].load(std::memory_order_relaxed);
      if (head_.compare_exchange_strong(h, h + 1, std::memory_order_release, std::memory_order_relaxed)) return g;
    }
  }

  // steal_into() is Go's runqsteal: takes half of `victim`'s goroutines into this queue
  // (whose owner is the caller) and returns one of them to run, or nullptr. `count` gets
  // how many were taken. runnext is stolen only when `take_runnext` and the ring is empty.
  // on_queued(i, g), if given, sees the count-1 goroutines put in this queue, oldest first,
  // before they are published: once they are, other thieves may take them again at once (and
  // they may run and end), so only then can a tracer name what this steal moved.
  G* steal_into(RunQueue& victim, bool take_runnext, bool victim_running, uint32_t& count) noexcept {
    return steal_into(victim, take_runnext, victim_running, count, [](uint32_t, G*) noexcept {});
  }
  template <class OnQueued>
  G* steal_into(RunQueue& victim, bool take_runnext, bool victim_running, uint32_t& count, OnQueued&& on_queued) noexcept {
    uint32_t t = tail_.load(std::memory_order_relaxed);
    uint32_t n = victim.grab(ring_, t, take_runnext, victim_running);
    count = n;
    if (n == 0) return nullptr;
    --n;
    G* g = ring_[(t + n) % kCapacity].load(std::memory_order_relaxed);
    if (n == 0) return g;
    for (uint32_t i = 0; i < n; ++i) on_queued(i, ring_[(t + i) % kCapacity].load(std::memory_order_relaxed));
    tail_.store(t + n, std::memory_order_release);
    return g;
  }

  // empty() may be called by anyone; it is exact only for the owner.
  bool empty() const noexcept {
    // Go's runqempty: a consistent read of head, tail and runnext.
    for (;;) {
      uint32_t h = head_.load(std::memory_order_acquire);
      uint32_t t = tail_.load(std::memory_order_acquire);
      G* next = runnext_.load(std::memory_order_acquire);
      if (tail_.load(std::memory_order_acquire) == t) return h == t && next == nullptr;
    }
  }

  // size() is approximate for everyone but the owner.
  uint32_t size() const noexcept {
    uint32_t h = head_.load(std::memory_order_acquire);
    uint32_t t = tail_.load(std::memory_order_acquire);
    uint32_t n = t - h;
    if (n > kCapacity) n = 0;
    return n + (runnext_.load(std::memory_order_relaxed) != nullptr ? 1 : 0);
  }

  // drain() removes everything (runnext first) into out; used with the world stopped.
  template <class F>
  void drain(F&& out) noexcept {
    if (G* next = runnext_.exchange(nullptr)) out(next);
    bool inherit = false;
    while (G* g = get(inherit)) out(g);
  }

  // for_each() visits the queued goroutines (runnext first); only with the world stopped or
  // as an approximate view.
  template <class F>
  void for_each(F&& visit) const noexcept {
    uint32_t h = head_.load(std::memory_order_acquire);
    uint32_t t = tail_.load(std::memory_order_acquire);
    if (t - h > kCapacity) return;
    for (uint32_t i = h; i != t; ++i) visit(ring_[i % kCapacity].load(std::memory_order_relaxed));
  }
  G* runnext() const noexcept { return runnext_.load(std::memory_order_acquire); }

 private:
  // grab() is Go's runqgrab: copies half of this queue into batch[batch_head...] and claims
  // them with one CAS on head. Executed by a thief.
  uint32_t grab(std::atomic<G*>* batch, uint32_t batch_head, bool take_runnext, bool owner_running) noexcept {
    for (;;) {
      uint32_t h = head_.load(std::memory_order_acquire);
      uint32_t t = tail_.load(std::memory_order_acquire);
      uint32_t n = t - h;
      n = n - n / 2;
      if (n == 0) {
        if (take_runnext) {
          G* next = runnext_.load(std::memory_order_acquire);
          if (next != nullptr) {
            if (owner_running) {
              // The owner is running and just readied `next`; it will most likely run it
              // in a moment. Stealing it would bounce a pair of goroutines that hand off to
              // each other between threads. Sleep like Go's usleep(3): with the kernel's
              // timer slack that is tens of microseconds, during which this M still counts
              // as spinning, so the owner's readies do not wake yet another M.
              det_usleep(3);
            }
            if (!runnext_.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) continue;
            batch[batch_head % kCapacity].store(next, std::memory_order_relaxed);
            return 1;
          }
        }
        return 0;
      }
      if (n > kCapacity / 2) continue;  // read an inconsistent h and t
      for (uint32_t i = 0; i < n; ++i) {
        batch[(batch_head + i) % kCapacity].store(ring_[(h + i) % kCapacity].load(std::memory_order_relaxed),
                                                  std::memory_order_relaxed);
      }
      if (head_.compare_exchange_strong(h, h + n, std::memory_order_release, std::memory_order_relaxed)) return n;
    }
  }

  alignas(64) std::atomic<uint32_t> head_{0};
  alignas(64) std::atomic<uint32_t> tail_{0};
  std::atomic<G*> runnext_{nullptr};
  std::atomic<G*> ring_[kCapacity] = {};
};

}  // namespace gor::detail
