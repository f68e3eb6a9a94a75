// unbuffered_vs_buffered.cpp — the same bursty pipeline with cap 0, then with cap `buffer`.
//
//   for i := range items {
//     if i%burst == 0 { time.Sleep(pause) }            // the producer works in bursts
//     select { case ch <- i: default: waited++; ch <- i } // count sends that had to wait
//   }
//   close(ch)                      // consumer: for v := range ch { time.Sleep(work) }
#include <chrono>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

constexpr gor::Duration kWork = 2ms;  // the consumer's time per item

// PhaseResult is what one run of the pipeline measured.
struct PhaseResult {
  int64_t sent = 0;
  int64_t waited = 0;            // sends that could not complete at once
  gor::Duration blocked{0};      // engine time the producer spent blocked in those sends
  int64_t received = 0;
  bool in_order = true;
};

// pipeline() runs producer -> channel of capacity `cap` -> consumer and returns when both ended.
PhaseResult pipeline(size_t cap, int64_t items, int64_t burst, const std::string& name) {
  auto ch = gor::make_chan<int64_t>(cap, name);
  const gor::Duration pause = 2 * burst * kWork;  // long enough for the consumer to catch up
  PhaseResult r;
  gor::WaitGroup wg{"wg"};
  wg.add(2);
  gor::go_named("producer", [&, ch] {
    for (int64_t i = 0; i < items; ++i) {
      if (i > 0 && i % burst == 0) gor::sleep(pause);
      if (gor::select(gor::on_send(ch, i), gor::on_default()) == 1) {  // would block
        ++r.waited;
        const gor::TimePoint t0 = gor::now();
        ch.send(i);
        r.blocked += gor::now() - t0;
      }
      ++r.sent;
    }
    ch.close();
    wg.done();
  });
  gor::go_named("consumer", [&, ch] {
    int64_t expect = 0;
    for (int64_t v : ch) {
      gor::sleep(kWork);
      if (v != expect++) r.in_order = false;
      ++r.received;
    }
    wg.done();
  });
  wg.wait();
  return r;
}

void unbuffered_vs_buffered_main(const SampleParams& p, SampleOutcome& out) {
  const int64_t items = p.get_int("items");
  const int64_t burst = p.get_int("burst");
  const auto buffer = static_cast<size_t>(p.get_int("buffer"));

  auto report = [&](const char* key, const std::string& what, const PhaseResult& r) {
    out.say(what, ": ", r.waited, " of ", r.sent, " sends had to wait (",
            fixed(std::chrono::duration<double, std::milli>(r.blocked).count(), 1), " ms blocked), ", r.received,
            " received", r.in_order ? ", in order" : ", OUT OF ORDER");
    out.set(std::string(key) + "_waited", static_cast<double>(r.waited));
    out.set(std::string(key) + "_received", static_cast<double>(r.received));
    out.set(std::string(key) + "_in_order", r.in_order ? 1 : 0);
  };
  out.say(items, " items in bursts of ", burst, "; the consumer takes ",
          std::chrono::duration_cast<std::chrono::milliseconds>(kWork).count(), " ms per item");
  report("unbuffered", "unbuffered (cap 0)", pipeline(0, items, burst, "unbuffered"));
  report("buffered", "buffered (cap " + std::to_string(buffer) + ")", pipeline(buffer, items, burst, "buffered"));
  out.set("sends", static_cast<double>(items));
}

}  // namespace

Sample unbuffered_vs_buffered() {
  SampleInfo info;
  info.id = "unbuffered-vs-buffered";
  info.title = "Unbuffered vs buffered channels";
  info.topic = "Channels";
  info.summary = "The same bursty producer and steady consumer over a channel of cap 0, then of cap N: count the sends that block.";
  info.explanation =
      "A producer emits items in bursts (a quick series of sends, then a pause); a consumer handles "
      "one item every 2 ms. The pipeline runs twice: first over an unbuffered channel, then over a "
      "channel with `buffer` slots. Before each send the producer tries a non-blocking send (a select "
      "with a default case); when that fails it counts the send as one that had to wait and then "
      "sends for real.\n\n"
      "What to watch: with cap 0 every send is a rendezvous. Only the first send of a burst finds the "
      "consumer already waiting; each later one parks the producer until the consumer comes back for "
      "the next item, so the producer runs at the consumer's pace. With a buffer at least as large as "
      "a burst the producer drops the whole burst into the buffer and goes back to its own work; the "
      "consumer drains the buffer during the pause.\n\n"
      "Under the hood a send first looks for a parked receiver and hands the value straight to it; "
      "otherwise it copies into the buffer if there is room; otherwise the sender queues on the "
      "channel's send queue and parks until a receiver takes its value.\n\n"
      "The pitfall is reaching for a buffer to fix a design problem: a buffer absorbs bursts, it does "
      "not make a slow consumer faster. If the producer is faster on average, any buffer fills up and "
      "the producer blocks again; if nobody ever receives, a buffer only delays the deadlock. Size "
      "buffers to the burst you expect, and use unbuffered channels when you want the synchronisation.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      int_param("items", "Items", "Values sent through each pipeline.", 40, 1, 10000),
      int_param("burst", "Burst", "Values the producer sends back to back before pausing.", 8, 1, 1000),
      int_param("buffer", "Buffer", "Capacity of the buffered channel in the second run.", 8, 1, 10000),
  };
  return Sample{std::move(info), unbuffered_vs_buffered_main};
}

}  // namespace goroscope::samples
