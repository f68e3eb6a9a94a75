// stack_pool.hpp — goroutine stacks: carved from large lazily-committed slabs and reused.
//
// Why slabs, not one mmap per stack: Linux limits a process to vm.max_map_count (65530)
// mappings, and a stack with its own guard page costs two. A million goroutines would need
// two million. So stacks are carved from 64 MiB MAP_NORESERVE slabs (about 2,000 mappings
// for a million 128 KiB stacks). Pages are committed on first touch, so a parked goroutine
// costs the pages its frames touched (one 4 KiB page for a shallow one).
// The price: no per-stack guard page. Overflow is detected, not prevented: the scheduler
// checks each goroutine's saved stack pointer against a red zone whenever it switches out
// (see Scheduler::after_switch) and aborts like Go's "fatal error: stack overflow"; each
// slab's lowest page is a guard page, so the lowest stack of a slab faults for real.
#pragma once

#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace gor::detail {

// StackPool is the process-wide pool of goroutine stacks (shared by all runs).
class StackPool {
 public:
  static StackPool& instance();
  // acquire_batch() appends up to n stacks of `size` bytes (their lowest addresses) to out.
  void acquire_batch(size_t size, size_t n, std::vector<char*>& out);
  // release_batch() returns stacks for reuse.
  void release_batch(size_t size, const char* const* stacks, size_t n);
  // trim() gives the physical memory of all pooled stacks back to the OS (keeps them mapped).
  void trim();

  static constexpr size_t kSlabBytes = 64u << 20;
  static constexpr size_t kPage = 4096;

 private:
  std::mutex mu_;
  std::unordered_map<size_t, std::vector<char*>> free_;
};

}  // namespace gor::detail
