// page_warmer.hpp — commit memory pages ahead of a writer, on a thread of its own.
//
// A busy run writes ~60 MB of fresh events per second into the TraceStore. The first write to
// each page is a page fault that zeroes it (and, in a VM, may make the host back it): that was
// most of a busy frame's UI-thread time. PageWarmer prefaults the reserved space ahead of the
// write position with madvise(MADV_POPULATE_WRITE), which commits pages without touching
// their contents, so it never races with the writer: a page the writer reaches first is simply
// already there. On kernels without it (before 5.14) warming does nothing and the writer
// faults as before.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

namespace goroscope::gui {

// advise_huge_pages() asks for 2 MiB pages in [p, p + bytes) (the whole huge pages inside it):
// a writer then takes one page fault per 2 MiB instead of one per 4 KiB. Advice only.
void advise_huge_pages(void* p, size_t bytes);

class PageWarmer {
 public:
  PageWarmer() = default;
  ~PageWarmer();  // waits for the range being warmed, drops the rest, joins
  PageWarmer(const PageWarmer&) = delete;
  PageWarmer& operator=(const PageWarmer&) = delete;

  // warm() queues [p, p + bytes) to be committed soon and returns at once (the thread starts
  // on the first call). The memory must stay mapped or be unmapped (then warming it fails
  // harmlessly); its contents are never changed.
  void warm(void* p, size_t bytes);
  // drop() forgets queued ranges not started yet (the memory is about to be freed).
  void drop();
  // warmed_bytes() is how much was committed so far (tests).
  size_t warmed_bytes() const;

 private:
  void loop();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<uintptr_t, size_t>> jobs_;
  size_t warmed_ = 0;
  bool exit_ = false;
  std::thread thread_;
};

}  // namespace goroscope::gui
