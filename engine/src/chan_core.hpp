// chan_core.hpp — the steps of chan.go shared by channel operations (chan.cpp) and select
// (select.cpp). Every function here is called with c->lock held.
#pragma once

#include "gor/chan.hpp"

namespace gor::detail {

// handoff_send() is Go's send(): passes *src directly to the dequeued receiver w and marks it
// successful. Returns the goroutine the caller must ready() after unlocking c.
G* handoff_send(ChanCore* c, ChanWaiter* w, void* src) noexcept;

// handoff_recv() is Go's recv() with a dequeued sender w: from an unbuffered channel it takes
// w's value directly; from a full buffer it takes the head into *dst and puts w's value at the
// tail (the ring stays full and FIFO). Returns the goroutine to ready() after unlocking c.
G* handoff_recv(ChanCore* c, ChanWaiter* w, void* dst) noexcept;

// buffer_push() appends *src to the ring; requires count < cap.
void buffer_push(ChanCore* c, void* src) noexcept;
// buffer_pop() moves the ring's head into *dst (dropped if null); requires count > 0.
void buffer_pop(ChanCore* c, void* dst) noexcept;

// require_goroutine() returns the current goroutine, or throws std::logic_error when called
// outside goroutines: only goroutines may block. `what` names the operation.
G* require_goroutine(const char* what);

// panic_send_on_closed() throws Panic("send on closed channel") raised at `where` (the send).
[[noreturn]] void panic_send_on_closed(std::source_location where);

}  // namespace gor::detail
