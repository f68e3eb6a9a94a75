#include "model/timeline_story.hpp"

#include <algorithm>

namespace goroscope::gui {

namespace {

// kMaxThreads bounds the M ids taken (a damaged trace must not allocate without end).
constexpr int kMaxThreads = 4096;

}  // namespace

void TimelineStory::clear() {
  holds_.clear();
  holds_by_g_.clear();
  open_hold_.clear();
  threads_.clear();
  thread_open_.clear();
  thread_stopped_.clear();
  in_syscall_.clear();
  syscalls_ = 0;
  busy_ = max_busy_ = 0;
  cancels_.clear();
  cancel_root_.clear();
  names_.clear();
}

uint64_t TimelineStory::object_name(uint64_t object) const {
  auto it = names_.find(object);
  return it == names_.end() ? 0 : it->second;
}

const std::vector<uint32_t>& TimelineStory::holds_of(uint64_t g) const {
  static const std::vector<uint32_t> none;
  const std::vector<uint32_t>* v = holds_by_g_.find(g);
  return v ? *v : none;
}

void TimelineStory::open_thread(int m, const ThreadSpan& s) {
  if (m < 0 || m >= kMaxThreads) return;
  close_thread(m, s.start);
  if (static_cast<size_t>(m) >= threads_.size()) {
    threads_.resize(static_cast<size_t>(m) + 1);
    thread_open_.resize(static_cast<size_t>(m) + 1, -1);
    thread_stopped_.resize(static_cast<size_t>(m) + 1, -1);
  }
  thread_open_[static_cast<size_t>(m)] = static_cast<int>(threads_[static_cast<size_t>(m)].size());
  threads_[static_cast<size_t>(m)].push_back(s);
  max_busy_ = std::max(max_busy_, ++busy_);
}

void TimelineStory::close_thread(int m, int64_t ts) {
  if (m < 0 || static_cast<size_t>(m) >= threads_.size()) return;
  int& open = thread_open_[static_cast<size_t>(m)];
  if (open < 0) return;
  ThreadSpan& s = threads_[static_cast<size_t>(m)][static_cast<size_t>(open)];
  s.end = std::max(ts, s.start);
  open = -1;
  --busy_;
}

void TimelineStory::close_holding(int m, int64_t ts) {
  if (m < 0 || static_cast<size_t>(m) >= threads_.size()) return;
  const int open = thread_open_[static_cast<size_t>(m)];
  if (open < 0 || threads_[static_cast<size_t>(m)][static_cast<size_t>(open)].p < 0) return;  // none, or a syscall
  const int64_t stopped = thread_stopped_[static_cast<size_t>(m)];
  close_thread(m, stopped >= 0 ? stopped : ts);
}

void TimelineStory::take(const gor::Event& e) {
  using K = gor::EventKind;
  // holding() is M m's open stretch on a P (nullptr: none).
  auto holding = [&](int m) -> ThreadSpan* {
    if (m < 0 || static_cast<size_t>(m) >= threads_.size() || thread_open_[static_cast<size_t>(m)] < 0) return nullptr;
    ThreadSpan& s = threads_[static_cast<size_t>(m)][static_cast<size_t>(thread_open_[static_cast<size_t>(m)])];
    return s.p >= 0 ? &s : nullptr;
  };
  switch (e.kind) {
    case K::GoStart:
      if (!e.g || e.p < 0 || e.m < 0 || e.m >= kMaxThreads) break;
      if (const ThreadSpan* s = holding(e.m); !s || s->p != e.p) {  // a P of its own, or another one
        close_holding(e.m, e.ts);
        open_thread(e.m, ThreadSpan{e.ts, INT64_MAX, e.g, e.p});
      }
      thread_stopped_[static_cast<size_t>(e.m)] = -1;
      break;
    case K::GoBlock:
    case K::GoYield:
    case K::GoPreempted:
    case K::GoEnd:
      if (holding(e.m)) thread_stopped_[static_cast<size_t>(e.m)] = e.ts;
      break;
    case K::MPark: close_holding(e.m, e.ts); break;
    case K::ProcIdle:  // the P is let go: whichever M held it stops holding it
      for (int m = 0; m < thread_count(); ++m)
        if (const ThreadSpan* s = holding(m); s && s->p == e.p) close_holding(m, e.ts);
      break;
    case K::SyscallEnter:
      ++syscalls_;
      if (e.m >= 0) {
        open_thread(e.m, ThreadSpan{e.ts, INT64_MAX, e.g, -1});
        in_syscall_[e.g] = e.m;
      }
      break;
    case K::SyscallExit: {
      auto it = in_syscall_.find(e.g);
      const int m = it != in_syscall_.end() ? it->second : e.m;
      if (it != in_syscall_.end()) in_syscall_.erase(it);
      close_thread(m, e.ts);
      if (const int on = e.m >= 0 ? e.m : m; e.p >= 0 && on >= 0 && on < kMaxThreads) {  // runs on at once, on a P
        open_thread(on, ThreadSpan{e.ts, INT64_MAX, e.g, e.p});
        thread_stopped_[static_cast<size_t>(on)] = -1;
      }
      break;
    }
    case K::MutexAcquire: {
      if (auto it = open_hold_.find(e.a0); it != open_hold_.end()) holds_[it->second].end = e.ts;  // a release we never saw
      const auto index = static_cast<uint32_t>(holds_.size());
      holds_.push_back(HoldSpan{e.ts, INT64_MAX, e.g, e.a0});
      holds_by_g_.at(e.g).push_back(index);
      open_hold_[e.a0] = index;
      break;
    }
    case K::MutexRelease:  // the unlocker may differ from the holder (Go allows it): the hold ends
      if (auto it = open_hold_.find(e.a0); it != open_hold_.end()) {
        holds_[it->second].end = std::max(e.ts, holds_[it->second].start);
        open_hold_.erase(it);
      }
      break;
    case K::ContextCancel: {
      const bool deadline = gor::context_deadline(e);
      if (auto root = cancel_root_.find(e.a2); e.a2 && root != cancel_root_.end()) {  // a descendant of a tree being cancelled
        ++cancels_[root->second].nodes;
        cancel_root_[e.a0] = root->second;
      } else {
        cancel_root_[e.a0] = static_cast<uint32_t>(cancels_.size());
        cancels_.push_back(CancelMark{e.ts, e.g, e.a0, 1, deadline});
      }
      break;
    }
    case K::ObjectCreate:
      if (e.a2) names_[e.a0] = e.a2;
      break;
    case K::RunEnd:
      for (int m = 0; m < thread_count(); ++m) {
        close_holding(m, e.ts);
        close_thread(m, e.ts);
      }
      for (const auto& [object, index] : open_hold_) holds_[index].end = e.ts;
      open_hold_.clear();
      break;
    default: break;
  }
}

}  // namespace goroscope::gui
