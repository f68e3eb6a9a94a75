// vocabulary.cpp — the public typed vocabulary of trace events (gor/trace.hpp): the texts and
// the one place that unpacks the coded event arguments. The public enums have the numbers of
// the engine's own (gor::detail) ones, which record them: checked here at compile time.
#include <string>

#include "gor/detail/object_id.hpp"
#include "gor/detail/park.hpp"
#include "gor/detail/race.hpp"
#include "gor/trace.hpp"

namespace gor {

namespace {

template <class A, class B>
constexpr bool same(A a, B b) {
  return static_cast<int>(a) == static_cast<int>(b);
}
using DW = detail::WaitReason;
using W = WaitReason;
static_assert(same(W::None, DW::None) && same(W::ChanReceive, DW::ChanReceive) && same(W::ChanSend, DW::ChanSend) &&
              same(W::ChanReceiveNilChan, DW::ChanReceiveNilChan) && same(W::ChanSendNilChan, DW::ChanSendNilChan) &&
              same(W::Select, DW::Select) && same(W::SelectNoCases, DW::SelectNoCases) &&
              same(W::MutexLock, DW::MutexLock) && same(W::RWMutexRLock, DW::RWMutexRLock) &&
              same(W::RWMutexLock, DW::RWMutexLock) && same(W::WaitGroupWait, DW::WaitGroupWait) &&
              same(W::CondWait, DW::CondWait) && same(W::OnceDo, DW::OnceDo) && same(W::Semacquire, DW::Semacquire) &&
              same(W::Sleep, DW::Sleep) && same(W::Syscall, DW::Syscall) && same(W::Preempted, DW::Preempted) &&
              static_cast<int>(W::Count_) == static_cast<int>(DW::Preempted) + 1,
              "gor::WaitReason must number the reasons as gor::detail::WaitReason does");
using DK = detail::ObjectKind;
using OK = ObjectKind;
static_assert(same(OK::Channel, DK::Channel) && same(OK::Mutex, DK::Mutex) && same(OK::RWMutex, DK::RWMutex) &&
              same(OK::WaitGroup, DK::WaitGroup) && same(OK::Semaphore, DK::Semaphore) && same(OK::Once, DK::Once) &&
              same(OK::Cond, DK::Cond),
              "gor::ObjectKind must number the kinds as gor::detail::ObjectKind does");
using DE = detail::RaceEdge;
using E = RaceEdge;
static_assert(same(E::Unknown, DE::Unknown) && same(E::Chan, DE::Chan) && same(E::ChanSlot, DE::ChanSlot) &&
              same(E::ChanClose, DE::ChanClose) && same(E::Mutex, DE::Mutex) && same(E::RWMutex, DE::RWMutex) &&
              same(E::RWMutexRead, DE::RWMutexRead) && same(E::WaitGroup, DE::WaitGroup) && same(E::Once, DE::Once) &&
              same(E::Cond, DE::Cond) && same(E::Semaphore, DE::Semaphore) && same(E::Context, DE::Context),
              "gor::RaceEdge must number the edges as gor::detail::RaceEdge does");

}  // namespace

std::string wait_reason_text(WaitReason r) {
  if (r >= WaitReason::Count_) return "wait reason " + std::to_string(static_cast<int>(r));
  return detail::wait_reason_text(static_cast<detail::WaitReason>(r));
}

const char* object_kind_text(ObjectKind k) noexcept { return detail::object_kind_text(static_cast<detail::ObjectKind>(k)); }

const char* race_edge_text(RaceEdge e) noexcept {
  switch (e) {
    case RaceEdge::Unknown: return "synchronisation";
    case RaceEdge::Chan: return "send <-> receive";
    case RaceEdge::ChanSlot: return "send -> receive (buffer slot)";
    case RaceEdge::ChanClose: return "close -> receive";
    case RaceEdge::Mutex: return "unlock -> lock";
    case RaceEdge::RWMutex: return "unlock -> rlock/lock";
    case RaceEdge::RWMutexRead: return "runlock -> lock";
    case RaceEdge::WaitGroup: return "done -> wait";
    case RaceEdge::Once: return "once function -> do returns";
    case RaceEdge::Cond: return "signal -> wait returns";
    case RaceEdge::Semaphore: return "release -> acquire";
    case RaceEdge::Context: return "cancel -> err";
  }
  return "synchronisation";
}

BlockFields block_fields(const Event& e) noexcept {
  return BlockFields{static_cast<WaitReason>(e.a0 > 255 ? 255 : e.a0), e.a1, e.a2};
}

ObjectFields object_fields(const Event& e) noexcept {
  return ObjectFields{static_cast<ObjectKind>(e.a1 & 0xff), e.a1 >> 8, e.a0, e.a2};
}

RaceSyncFields race_sync_fields(const Event& e) noexcept {
  return RaceSyncFields{static_cast<RaceSyncOp>(e.a2 & 0xff), static_cast<RaceEdge>((e.a2 >> 8) & 0xff), e.a2 >> 16,
                        e.a0, e.a1};
}

SelectFields select_fields(const Event& e) noexcept {
  return SelectFields{static_cast<uint32_t>(e.a0 & 0xffff), ((e.a0 >> 16) & 1) != 0, e.a1, e.a2};
}

TimerFields timer_fields(const Event& e) noexcept {
  const bool add = e.kind == EventKind::TimerAdd;
  return TimerFields{add ? e.a0 : e.a1, static_cast<int64_t>(add ? e.a1 : e.a0), static_cast<TimerCode>(e.a2 & 0xff),
                     ((e.a2 >> 8) & 1) != 0};
}

Placement unblock_placement(const Event& e) noexcept { return static_cast<Placement>(e.a1 > 2 ? 2 : e.a1); }

}  // namespace gor
