// closing_channels.cpp — who closes a channel, and how the others find out.
//
//   part 1, one sender, many receivers: the sender closes, receivers range until drained
//     go func() { for i := range n { jobs <- i }; close(jobs) }()
//     for r := range receivers { go func() { for j := range jobs { ... } }() }
//   part 2, many senders, one receiver: the receiver closes a separate done channel
//     for s := range senders { go func() { for { select { case values <- v: case <-done: return } } }() }
//     for range wanted { <-values }; close(done)
#include <chrono>
#include <string>
#include <vector>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

void closing_channels_main(const SampleParams& p, SampleOutcome& out) {
  const int receivers = static_cast<int>(p.get_int("receivers"));
  const int64_t jobs_n = p.get_int("jobs");
  const int senders = static_cast<int>(p.get_int("senders"));
  const int64_t wanted = p.get_int("wanted");

  // Part 1: the only sender closes `jobs`; every receiver's range loop ends once it is drained.
  gor::log("part 1: one sender closes, receivers range");
  auto jobs = gor::make_chan<int64_t>(0, "jobs");
  std::vector<int64_t> got(static_cast<size_t>(receivers), 0);  // receiver r writes only got[r]
  std::vector<int64_t> sums(static_cast<size_t>(receivers), 0);
  gor::WaitGroup ranging{"ranging"};
  for (int r = 0; r < receivers; ++r) {
    ranging.add(1);
    gor::go_named("receiver " + std::to_string(r + 1), [&, r] {
      for (int64_t j : jobs) {
        gor::sleep(3ms);  // handling a job
        ++got[static_cast<size_t>(r)];
        sums[static_cast<size_t>(r)] += j;
      }
      ranging.done();  // the range loop ended: jobs is closed and empty
    });
  }
  gor::go_named("sender", [jobs, jobs_n] {
    for (int64_t j = 1; j <= jobs_n; ++j) jobs.send(j);
    jobs.close();
    gor::log("sender closed jobs");
  });
  ranging.wait();
  int64_t received = 0;
  int64_t sum = 0;
  std::string spread;
  for (int r = 0; r < receivers; ++r) {
    received += got[static_cast<size_t>(r)];
    sum += sums[static_cast<size_t>(r)];
    spread += (r ? ", " : "") + std::to_string(got[static_cast<size_t>(r)]);
  }
  out.say("part 1: ", receivers, " receivers got ", received, " of ", jobs_n, " jobs (", spread, "), sum ", sum);
  out.set("part1_jobs", static_cast<double>(jobs_n));
  out.set("part1_received", static_cast<double>(received));
  out.set("part1_sum", static_cast<double>(sum));

  // Part 2: several senders, one receiver. The receiver must not close `values` (a sender would
  // panic); it closes `done` instead, which every sender's select is also waiting on.
  gor::log("part 2: many senders, the receiver closes done");
  auto values = gor::make_chan<int64_t>(0, "values");
  auto done = gor::make_chan<bool>(0, "done");
  std::vector<int64_t> sent(static_cast<size_t>(senders), 0);  // sender s writes only sent[s]
  gor::WaitGroup stopped{"stopped"};
  for (int s = 0; s < senders; ++s) {
    stopped.add(1);
    gor::go_named("sender " + std::to_string(s + 1), [&, s] {
      for (int64_t i = 0;; ++i) {
        gor::sleep(10ms);  // producing the next value
        bool stop = false;
        gor::select(gor::on_send(values, (s + 1) * 1000000 + i, [&] { ++sent[static_cast<size_t>(s)]; }),
                    gor::on_recv(done, [&](bool, bool) { stop = true; }));
        if (stop) break;  // done is closed: the receiver wants no more
      }
      stopped.done();
    });
  }
  int64_t consumed = 0;
  for (int64_t i = 0; i < wanted; ++i) {
    values.recv();
    ++consumed;
  }
  done.close();  // the receiver owns done: "stop sending", to every sender at once
  gor::log("receiver closed done");
  stopped.wait();  // every sender saw it and returned; nobody is stuck in a send
  gor::log("every sender stopped");
  int64_t total_sent = 0;
  for (int64_t n : sent) total_sent += n;
  out.say("part 2: ", senders, " senders sent ", total_sent, " values, the receiver consumed ", consumed, " of ",
          wanted, " wanted; all senders stopped");
  out.set("part2_wanted", static_cast<double>(wanted));
  out.set("part2_consumed", static_cast<double>(consumed));
  out.set("part2_sent", static_cast<double>(total_sent));
  out.set("part2_senders_stopped", senders);
}

}  // namespace

Sample closing_channels() {
  SampleInfo info;
  info.id = "closing-channels";
  info.title = "Closing channels";
  info.topic = "Channels";
  info.summary = "A sender closes its channel and receivers range until it is drained; many senders are stopped by a done channel the receiver closes.";
  info.explanation =
      "Part 1 has one sender and several receivers. The sender puts n jobs on the unbuffered `jobs` "
      "channel and closes it. Each receiver ranges over `jobs`; the loops end by themselves once the "
      "channel is closed and every job has been taken. Part 2 turns it around: several senders and one "
      "receiver that only wants a certain number of values. Each sender loops on a select that either "
      "sends on `values` or notices that `done` is closed; the receiver takes what it wants and then "
      "closes `done`.\n\n"
      "What to watch: in part 1 the receivers share the jobs between them, and when the sender closes "
      "the channel every parked receiver wakes at once and leaves its loop. In part 2 the senders park "
      "in `select` waiting for the receiver; when `done` is closed they all wake, take the `done` case "
      "and end. Nobody panics and nobody is left blocked.\n\n"
      "Under the hood closing a channel wakes every goroutine parked on it: receivers get the zero value "
      "with ok = false (which is what ends a range loop), parked senders panic. A receive from a closed "
      "channel never blocks, which is why a closed channel works as a broadcast: any number of "
      "goroutines can wait on `done` and all of them see the close.\n\n"
      "The rule: only a sender closes a data channel, and only when no send can follow. With many "
      "senders none of them knows that, and the receiver must not close `values` because a sender "
      "could be about to send (\"send on closed channel\"). So the receiver signals on a separate "
      "channel it owns. Because `values` is unbuffered, every value a sender managed to send was "
      "received: no value is lost in a buffer.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      int_param("receivers", "Receivers", "Part 1: receivers ranging over the jobs channel.", 3, 1, 64),
      int_param("jobs", "Jobs", "Part 1: jobs the single sender sends before closing.", 30, 0, 100000),
      int_param("senders", "Senders", "Part 2: senders stopped by the done channel.", 4, 1, 64),
      int_param("wanted", "Wanted", "Part 2: values the receiver takes before closing done.", 20, 0, 100000),
  };
  return Sample{std::move(info), closing_channels_main};
}

}  // namespace goroscope::samples
