// test_events.hpp — building hand-made traces in the GUI tests.
#pragma once

#include <cstdint>

#include <gor/trace.hpp>

namespace gui_test {

// ev() is one event at `ts` of `kind` for goroutine g on P p, with its arguments.
inline gor::Event ev(int64_t ts, gor::EventKind kind, uint64_t g, int p, uint64_t a0 = 0, uint64_t a1 = 0,
                     uint64_t a2 = 0) {
  gor::Event e;
  e.ts = ts;
  e.kind = kind;
  e.g = g;
  e.p = static_cast<int16_t>(p);
  e.a0 = a0;
  e.a1 = a1;
  e.a2 = a2;
  return e;
}

// Lcg is a small deterministic random source for the randomized tests: the same sequence on
// every machine, so a failure repeats. lcg(n) is in [0, n).
struct Lcg {
  uint64_t state;
  uint64_t operator()(uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  }
};

}  // namespace gui_test
