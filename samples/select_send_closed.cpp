// select_send_closed.cpp — a select's send case on a closed channel still panics.
//
//   close(ch)
//   select { case ch <- v: ... default: ... }              // panics: the send case is "ready"
//   select { case ch <- v: ... case x := <-other: ... }    // panics when it picks the send
#include <atomic>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void select_send_closed_main(const SampleParams& p, SampleOutcome& out) {
  const std::string variant = p.get_choice("variant");
  const int64_t tries = p.get_int("tries");

  auto ch = gor::make_chan<int>(1, "ch");
  auto other = gor::make_chan<int>(1, "other");
  ch.close();
  if (variant == "uncaught") {
    out.say("select { case ch <- 1: default: } on a closed channel, no recover:");
    gor::select(gor::on_send(ch, 1), gor::on_default());  // panics: "send on closed channel"
    out.say("not reached");
    return;
  }
  // With a recover around each select (Go: a function with defer func() { recover() }()).
  int64_t panics_with_default = 0, defaults = 0;
  int64_t panics_with_other = 0, others = 0;
  for (int64_t i = 0; i < tries; ++i) {
    try {
      if (gor::select(gor::on_send(ch, 1), gor::on_default()) == 1) ++defaults;
    } catch (const gor::Panic&) {
      ++panics_with_default;
    }
    other.send(7);  // `other` is ready too: the select picks one of two ready cases at random
    try {
      if (gor::select(gor::on_send(ch, 1), gor::on_recv(other)) == 1) ++others;
    } catch (const gor::Panic&) {
      ++panics_with_other;
      (void)other.recv();  // drain what the select did not take
    }
  }
  out.say("send case + default, ", tries, " selects: ", panics_with_default, " panicked, ", defaults,
          " took default (default runs only when no case is ready, and a send on a closed channel is ready)");
  out.say("send case + a ready receive, ", tries, " selects: ", panics_with_other, " panicked, ", others,
          " took the receive (a fair random choice between the two ready cases)");
  out.set("tries", static_cast<double>(tries));
  out.set("panics_with_default", static_cast<double>(panics_with_default));
  out.set("defaults", static_cast<double>(defaults));
  out.set("panics_with_other", static_cast<double>(panics_with_other));
  out.set("others", static_cast<double>(others));
}

}  // namespace

Sample select_send_closed() {
  SampleInfo info;
  info.id = "select-send-closed";
  info.title = "select: a send on a closed channel";
  info.topic = "Channels";
  info.summary = "A select does not protect a send: on a closed channel the send case is ready and panics, default or not.";
  info.explanation =
      "A channel is closed, then main runs selects with a send case on it. With a `default` case "
      "many expect the select to skip the send (\"it would block, so default runs\"). With a second "
      "case, a receive that is ready, many expect the select to prefer the case that works.\n\n"
      "What to watch: a send on a closed channel does not block, it panics, so for select the send "
      "case is ready. default runs only when no case is ready: it never runs here, and every "
      "select with default panics. With another ready case, select chooses uniformly at random "
      "between the ready ones: about half of the selects panic. The uncaught variant shows the "
      "program dying with `panic: send on closed channel` and the dump pointing at the select.\n\n"
      "Under the hood selectgo polls the cases in a random order; for a send case it checks "
      "`closed` first and jumps to its panic (Go's sclose label), before looking at waiting "
      "receivers or buffer space. A receive from a closed channel, by contrast, is ready and "
      "returns the zero value with ok = false.\n\n"
      "The fix is the same as without select: only the goroutine that owns the channel's lifetime "
      "closes it, after every sender is done; senders learn to stop from a separate done channel.";
  info.default_procs = 1;
  info.suggested_dilation = 20;
  info.params = {
      choice_param("variant", "Variant", "recovered: many selects, each panic recovered and counted; uncaught: one select, the program panics.",
                   {"recovered", "uncaught"}),
      int_param("tries", "Tries", "Selects of each kind (recovered variant).", 200, 1, 100000),
  };
  return Sample{std::move(info), select_send_closed_main};
}

}  // namespace goroscope::samples
