#include "model/page_warmer.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace goroscope::gui {

void advise_huge_pages(void* p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t a = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (b > a) (void)madvise(reinterpret_cast<void*>(a), b - a, MADV_HUGEPAGE);
}

PageWarmer::~PageWarmer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    exit_ = true;
    jobs_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PageWarmer::warm(void* p, size_t bytes) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGE_SIZE));
  const uintptr_t a = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);  // whole pages inside
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(page - 1);
  if (b <= a) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.emplace_back(a, b - a);
    if (!thread_.joinable())
      thread_ = std::thread([this] {
        // Below the UI thread, like the engine's threads: warming is worth it only while it
        // does not take the core the UI thread is waiting for.
        (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
        loop();
      });
  }
  cv_.notify_one();
}

void PageWarmer::drop() {
  std::lock_guard<std::mutex> lock(mu_);
  jobs_.clear();
}

size_t PageWarmer::warmed_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return warmed_;
}

void PageWarmer::loop() {
  constexpr size_t kStep = size_t{4} << 20;  // re-check for exit/drop every 4 MiB
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return exit_ || !jobs_.empty(); });
    if (exit_) return;
    auto& [a, n] = jobs_.front();
    const uintptr_t at = a;
    const size_t step = std::min(n, kStep);
    a += step;
    n -= step;
    if (n == 0) jobs_.pop_front();
    lock.unlock();
    const bool ok = madvise(reinterpret_cast<void*>(at), step, MADV_POPULATE_WRITE) == 0;
    lock.lock();
    if (ok) warmed_ += step;
  }
}

}  // namespace goroscope::gui
