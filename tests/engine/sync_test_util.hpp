// sync_test_util.hpp — helpers for the sync package's tests.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include "test_util.hpp"

namespace gortest {

// spin_until() yields the current goroutine until pred() holds or `max_yields` yields
// passed; returns whether pred() held. Used for "wait until the other goroutine got there"
// without assuming any particular schedule.
inline bool spin_until(const std::function<bool()>& pred, int max_yields = 1'000'000) {
  for (int i = 0; i < max_yields; ++i) {
    if (pred()) return true;
    gor::yield();
  }
  return pred();
}

}  // namespace gortest
