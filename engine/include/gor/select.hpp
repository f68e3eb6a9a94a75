// select.hpp — Go's select statement: int gor::select(cases...).
//
//   switch (gor::select(gor::on_recv(in, [&](int v, bool ok) { ... }),
//                       gor::on_send(out, 42),
//                       gor::on_default())) { ... }
//
// The template only lays the channel cases out as type-erased descriptors on the stack and
// calls detail::select_impl (engine/src/select.cpp, Go 1.19's selectgo); then it runs the
// chosen case's callback. No heap allocation.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <source_location>
#include <type_traits>
#include <utility>

#include "gor/chan.hpp"

namespace gor {

namespace detail {

// SelectCase is one channel case of a select, type-erased.
struct SelectCase {
  ChanCore* c = nullptr;  // nullptr: a nil channel, whose case is never chosen
  void* elem = nullptr;   // send: the value to send; recv: where the value goes (T{} on entry)
  bool is_send = false;
};

// SelectOutcome is which case select_impl ran: index into its cases, or -1 when none was
// ready and it did not block (the default case); recv_ok is the comma-ok of a receive.
struct SelectOutcome {
  int index = -1;
  bool recv_ok = false;
};

// select_impl() is Go's selectgo over cases[0, n): polls them in a uniformly random order and
// runs the first ready one; if none is and `block`, waits on all of them and runs the first to
// become ready. `order` has room for 2n indices and `waiter_storage` for n Waiters (both
// scratch). A send case on a closed channel panics "send on closed channel". `where` is the
// blocking site.
SelectOutcome select_impl(SelectCase* cases, int n, uint16_t* order, void* waiter_storage, bool block,
                          std::source_location where);

// select_no_cases() is `select {}`: blocks the goroutine forever.
[[noreturn]] void select_no_cases(std::source_location where);

enum class CaseKind { Recv, Send, Default };

// NoCallback marks a case without a callback.
struct NoCallback {};

}  // namespace detail

// RecvCase is a receive case (made by on_recv). It refers to the channel without owning it:
// use it within the select's full expression.
template <class T, class F = detail::NoCallback>
struct RecvCase {
  static constexpr detail::CaseKind kind = detail::CaseKind::Recv;
  detail::ChanCore* chan;
  F fn;
  std::source_location where;
  T value{};

  detail::SelectCase descriptor() noexcept { return {chan, &value, false}; }
  void run(bool ok) {
    if constexpr (std::is_invocable_v<F&, T, bool>)
      fn(std::move(value), ok);
    else if constexpr (std::is_invocable_v<F&, T>)
      fn(std::move(value));
  }
};

// SendCase is a send case (made by on_send); it owns the value to send.
template <class T, class F = detail::NoCallback>
struct SendCase {
  static constexpr detail::CaseKind kind = detail::CaseKind::Send;
  detail::ChanCore* chan;
  T value;
  F fn;
  std::source_location where;

  detail::SelectCase descriptor() noexcept { return {chan, &value, true}; }
  void run(bool) {
    if constexpr (std::is_invocable_v<F&>) fn();
  }
};

// DefaultCase is the default case (made by on_default): taken when no other case is ready.
template <class F = detail::NoCallback>
struct DefaultCase {
  static constexpr detail::CaseKind kind = detail::CaseKind::Default;
  F fn;
  std::source_location where;

  void run(bool) {
    if constexpr (std::is_invocable_v<F&>) fn();
  }
};

// on_recv(ch) is `case <-ch:`; on_recv(ch, fn) is `case v, ok := <-ch:` with fn(T v, bool ok)
// (or fn(T v)) run when the case is chosen.
template <class T>
RecvCase<T> on_recv(const Chan<T>& ch, std::source_location where = std::source_location::current()) {
  return RecvCase<T>{ch.core(), {}, where};
}
template <class T, class F>
  requires std::invocable<std::decay_t<F>&, T, bool> || std::invocable<std::decay_t<F>&, T>
RecvCase<T, std::decay_t<F>> on_recv(const Chan<T>& ch, F&& fn,
                                     std::source_location where = std::source_location::current()) {
  return RecvCase<T, std::decay_t<F>>{ch.core(), std::forward<F>(fn), where};
}

// on_send(ch, v) is `case ch <- v:` (v is moved in; dropped if another case runs);
// on_send(ch, v, fn) runs fn() when the case is chosen.
template <class T>
SendCase<T> on_send(const Chan<T>& ch, std::type_identity_t<T> value,
                    std::source_location where = std::source_location::current()) {
  return SendCase<T>{ch.core(), std::move(value), {}, where};
}
template <class T, class F>
  requires std::invocable<std::decay_t<F>&>
SendCase<T, std::decay_t<F>> on_send(const Chan<T>& ch, std::type_identity_t<T> value, F&& fn,
                                     std::source_location where = std::source_location::current()) {
  return SendCase<T, std::decay_t<F>>{ch.core(), std::move(value), std::forward<F>(fn), where};
}

// on_default() is `default:`; on_default(fn) runs fn() when taken.
inline DefaultCase<> on_default(std::source_location where = std::source_location::current()) {
  return DefaultCase<>{{}, where};
}
template <class F>
  requires std::invocable<std::decay_t<F>&>
DefaultCase<std::decay_t<F>> on_default(F&& fn, std::source_location where = std::source_location::current()) {
  return DefaultCase<std::decay_t<F>>{std::forward<F>(fn), where};
}

// select() with no cases is Go's `select {}`: it blocks the goroutine forever (wait reason
// "select (no cases)", blocking site: the caller's line). Declared to return int so that it
// fits wherever a select's result is used; it never returns.
[[noreturn]] inline int select(std::source_location where = std::source_location::current()) {
  detail::select_no_cases(where);
}

// select() runs one ready case, as Go's select statement: among ready cases one chosen
// uniformly at random; with none ready, the default case if there is one, else it blocks until
// one is ready. Then it runs that case's callback and returns the case's 0-based index in
// argument order (a default counts). Cases on nil channels are never chosen; a send case on a
// closed channel panics "send on closed channel" even with a default; select() with no cases
// blocks forever. The blocking site is the first case's.
template <class... Cases>
  requires(sizeof...(Cases) > 0)
int select(Cases&&... cases) {
  using detail::CaseKind;
  constexpr int n_default = ((std::remove_cvref_t<Cases>::kind == CaseKind::Default ? 1 : 0) + ... + 0);
  static_assert(n_default <= 1, "gor::select: more than one default case");
  constexpr int n_chan = static_cast<int>(sizeof...(Cases)) - n_default;
  static_assert(n_chan < 65536, "gor::select: too many cases");

  {
    std::array<detail::SelectCase, n_chan> descs;
    std::array<int, n_chan> arg_of;  // descriptor index -> argument index
    int default_arg = -1;
    std::source_location where;
    int arg = 0;
    int k = 0;
    auto collect = [&](auto& cs) {
      if (arg == 0) where = cs.where;
      if constexpr (std::remove_cvref_t<decltype(cs)>::kind == CaseKind::Default) {
        default_arg = arg;
      } else {
        descs[k] = cs.descriptor();
        arg_of[k] = arg;
        ++k;
      }
      ++arg;
    };
    (collect(cases), ...);

    int chosen = default_arg;
    bool recv_ok = false;
    if constexpr (n_chan > 0) {
      std::array<uint16_t, 2 * n_chan> order;
      alignas(detail::ChanWaiter) unsigned char waiters[n_chan * sizeof(detail::ChanWaiter)];
      detail::SelectOutcome out =
          detail::select_impl(descs.data(), n_chan, order.data(), waiters, n_default == 0, where);
      if (out.index >= 0) chosen = arg_of[out.index];
      recv_ok = out.recv_ok;
    }
    if (detail::tracing_active()) [[unlikely]] {
      uint64_t chan_id = 0;
      if constexpr (n_chan > 0) {
        for (int i = 0; i < n_chan; ++i) {
          if (arg_of[i] == chosen && descs[i].c != nullptr) chan_id = descs[i].c->id;
        }
      }
      detail::trace_select(static_cast<int>(sizeof...(Cases)), n_default != 0, chosen, chan_id);
    }
    arg = 0;
    auto run = [&](auto& cs) {
      if (arg++ == chosen) cs.run(recv_ok);
    };
    (run(cases), ...);
    return chosen;
  }
}

}  // namespace gor
