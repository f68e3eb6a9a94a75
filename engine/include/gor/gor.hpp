// gor.hpp — the whole public API of the gor engine: Go's concurrency in C++20.
//
//   gor::run(cfg, main)           run a program (runtime.hpp)
//   gor::go, yield, sleep, now, gomaxprocs, num_goroutine, goid, syscall, preempt_point
//   gor::Chan<T>, make_chan, select and its on_* cases   (chan.hpp, select.hpp)
//   gor::after, Timer, Ticker                            (time.hpp)
//   gor::WaitGroup, Mutex, RWMutex, Once, Cond, Semaphore, SyncMap  (one header each)
//   gor::Context, background, with_cancel/timeout/deadline/value    (context.hpp)
//   gor::Shared, race_read, race_write: memory the race detector watches (race.hpp)
#pragma once

#include "gor/panic.hpp"
#include "gor/control.hpp"
#include "gor/runtime.hpp"
#include "gor/trace.hpp"
// Each primitive's header is added here as it lands (one primitive per header):
#include "gor/waitgroup.hpp"
#include "gor/mutex.hpp"
#include "gor/rwmutex.hpp"
#include "gor/once.hpp"
#include "gor/cond.hpp"
#include "gor/semaphore.hpp"
#include "gor/sync_map.hpp"
#include "gor/chan.hpp"
#include "gor/select.hpp"
#include "gor/time.hpp"
#include "gor/context.hpp"
#include "gor/race.hpp"
