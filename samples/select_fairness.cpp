// select_fairness.cpp — two always-ready channels: which does select pick?
//
//   left, right := make(chan int, n), make(chan int, n)   // filled to the brim first
//   for range n { select { case <-left: l++; case <-right: r++ } }
#include <algorithm>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void fill(const gor::Chan<int64_t>& ch, int64_t n) {
  for (int64_t i = 0; i < n; ++i) ch.send(i);
}

std::string bar(int64_t count, int64_t total) {
  constexpr int kWidth = 40;
  return std::string(static_cast<size_t>(total ? count * kWidth / total : 0), '#');
}

void select_fairness_main(const SampleParams& p, SampleOutcome& out) {
  const int64_t rounds = p.get_int("rounds");
  auto left = gor::make_chan<int64_t>(static_cast<size_t>(rounds), "left");
  auto right = gor::make_chan<int64_t>(static_cast<size_t>(rounds), "right");

  // Two producers fill both channels completely: every select below finds both cases ready.
  gor::WaitGroup filled{"filled"};
  filled.add(2);
  gor::go_named("fill left", [&filled, left, rounds] { fill(left, rounds); filled.done(); });
  gor::go_named("fill right", [&filled, right, rounds] { fill(right, rounds); filled.done(); });
  filled.wait();

  int64_t picks[2] = {0, 0};
  int64_t streak = 0;
  int64_t longest_streak = 0;
  int last = -1;
  for (int64_t i = 0; i < rounds; ++i) {
    const int side = gor::select(gor::on_recv(left), gor::on_recv(right));
    ++picks[side];
    streak = side == last ? streak + 1 : 1;
    longest_streak = std::max(longest_streak, streak);
    last = side;
  }

  const double left_pct = 100.0 * static_cast<double>(picks[0]) / static_cast<double>(rounds);
  out.say(rounds, " selects with both channels ready:");
  out.say("  left  ", picks[0], " (", fixed(left_pct, 1), "%) ", bar(picks[0], rounds));
  out.say("  right ", picks[1], " (", fixed(100.0 - left_pct, 1), "%) ", bar(picks[1], rounds));
  out.say("longest run of the same side: ", longest_streak);
  out.set("left", static_cast<double>(picks[0]));
  out.set("right", static_cast<double>(picks[1]));
  out.set("left_percent", left_pct);
  out.set("longest_streak", static_cast<double>(longest_streak));
}

}  // namespace

Sample select_fairness() {
  SampleInfo info;
  info.id = "select-fairness";
  info.title = "select fairness";
  info.topic = "select";
  info.summary = "A select over two always-ready channels picks each about half the time: a histogram of the choices.";
  info.explanation =
      "Two producer goroutines fill two buffered channels, `left` and `right`, to capacity. Then the "
      "main goroutine runs a select with one receive case on each, `rounds` times, and counts which "
      "case ran. Because both buffers hold enough values for every round, both cases are ready every "
      "single time.\n\n"
      "What to watch: the histogram ends close to 50/50, and the longest run of the same side stays "
      "short (around log2 of the number of rounds), exactly what fair coin flips give. Change the "
      "seed and the sequence changes; keep it and the run repeats.\n\n"
      "Under the hood Go's selectgo shuffles the cases into a random poll order on every call and "
      "takes the first ready one in that order, so when several are ready each has the same chance. "
      "Case order in the source does not matter, unlike a `switch`.\n\n"
      "The pitfall is relying on order for priority: writing the urgent channel first does nothing. "
      "To prefer one channel, check it first in a separate select with a default case, then fall back "
      "to a select over all of them. And a closed channel is always ready: a select loop over a closed "
      "channel spins, the fix is to set that channel variable to nil once it is closed.";
  info.default_procs = 2;
  info.suggested_dilation = 1;
  info.params = {
      int_param("rounds", "Rounds", "How many selects to run (each channel is filled with this many values).", 10000,
                1, 1000000),
  };
  return Sample{std::move(info), select_fairness_main};
}

}  // namespace goroscope::samples
