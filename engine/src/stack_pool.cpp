#include "stack_pool.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace gor::detail {

StackPool& StackPool::instance() {
  static StackPool* pool = new StackPool();  // never destroyed: goroutine stacks may outlive statics
  return *pool;
}

void StackPool::acquire_batch(size_t size, size_t n, std::vector<char*>& out) {
  std::lock_guard<std::mutex> guard(mu_);
  std::vector<char*>& list = free_[size];
  if (list.size() < n) {
    size_t per_slab = std::max<size_t>(1, kSlabBytes / size);
    size_t bytes = per_slab * size + kPage;  // + the slab's guard page
    void* slab = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (slab == MAP_FAILED) {
      std::fprintf(stderr, "fatal error: out of memory allocating goroutine stacks\n");
      std::abort();
    }
    mprotect(slab, kPage, PROT_NONE);
    char* base = static_cast<char*>(slab) + kPage;
    // Hand out from the top of the slab first; the lowest stack sits on the guard page.
    for (size_t i = 0; i < per_slab; ++i) list.push_back(base + i * size);
  }
  size_t take = std::min(n, list.size());
  out.insert(out.end(), list.end() - static_cast<std::ptrdiff_t>(take), list.end());
  list.resize(list.size() - take);
}

void StackPool::release_batch(size_t size, const char* const* stacks, size_t n) {
  std::lock_guard<std::mutex> guard(mu_);
  std::vector<char*>& list = free_[size];
  for (size_t i = 0; i < n; ++i) list.push_back(const_cast<char*>(stacks[i]));
}

void StackPool::trim() {
  std::lock_guard<std::mutex> guard(mu_);
  for (auto& [size, list] : free_) {
    if (list.empty()) continue;
    std::sort(list.begin(), list.end());
    // Coalesce adjacent stacks into few madvise calls.
    char* run_begin = list[0];
    char* run_end = list[0] + size;
    for (size_t i = 1; i <= list.size(); ++i) {
      if (i < list.size() && list[i] == run_end) {
        run_end += size;
        continue;
      }
      madvise(run_begin, static_cast<size_t>(run_end - run_begin), MADV_DONTNEED);
      if (i < list.size()) {
        run_begin = list[i];
        run_end = list[i] + size;
      }
    }
  }
}

}  // namespace gor::detail
