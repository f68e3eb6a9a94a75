// producer_consumer.cpp — one producer hands numbers to one consumer over a channel.
//
//   ch := make(chan int, buffer)
//   go func() { for i := 1; i <= n; i++ { ch <- i }; close(ch) }()
//   for v := range ch { use(v) }
#include <chrono>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void producer_consumer_main(const SampleParams& p, SampleOutcome& out) {
  const int64_t values = p.get_int("values");
  const auto buffer = static_cast<size_t>(p.get_int("buffer"));
  const auto produce = std::chrono::milliseconds(p.get_int("produce-ms"));
  const auto consume = std::chrono::milliseconds(p.get_int("consume-ms"));

  auto ch = gor::make_chan<int64_t>(buffer, "numbers");
  gor::go_named("producer", [ch, values, produce] {
    gor::log("producer starts");
    for (int64_t i = 1; i <= values; ++i) {
      gor::sleep(produce);  // making a value takes a while
      ch.send(i);           // hand it over: the value now belongs to the consumer
    }
    ch.close();  // "no more values": ends the consumer's range loop
    gor::log("producer closed numbers");
  });

  out.say("producer sends 1..", values, " over a channel of capacity ", buffer, "; main consumes");
  int64_t received = 0;
  int64_t out_of_order = 0;  // values that are not the one expected next (lost, repeated or swapped)
  int64_t sum = 0;
  int64_t expected = 1;
  for (int64_t v : ch) {
    gor::sleep(consume);  // using a value takes a while too
    ++received;
    sum += v;
    if (v != expected) ++out_of_order;
    expected = v + 1;
  }
  gor::log("consumer drained numbers");

  out.say("received ", received, " of ", values, " values, ", out_of_order, " out of order, sum ", sum);
  out.set("values", static_cast<double>(values));
  out.set("received", static_cast<double>(received));
  out.set("out_of_order", static_cast<double>(out_of_order));
  out.set("last", static_cast<double>(expected - 1));
  out.set("sum", static_cast<double>(sum));
}

}  // namespace

Sample producer_consumer() {
  SampleInfo info;
  info.id = "producer-consumer";
  info.title = "Producer and consumer";
  info.topic = "Channels";
  info.summary = "A producer goroutine hands numbers one by one to a consumer over a channel: each arrives once, in order.";
  info.explanation =
      "A producer goroutine makes the numbers 1 to n, each taking a moment, and sends them on the "
      "`numbers` channel; when it is done it closes the channel. The main goroutine is the consumer: "
      "it ranges over the channel, spends a moment on each value, and checks that every number "
      "arrives exactly once and in the order it was sent.\n\n"
      "What to watch: with an unbuffered channel (capacity 0) every hand-over is a meeting. Whoever "
      "arrives first parks: the consumer in `chan receive` while the producer is still working, the "
      "producer in `chan send` while the consumer is still busy with the previous value. Give the "
      "channel a buffer and make the producer faster than the consumer: the buffer fills up, and only "
      "then does the producer start to wait.\n\n"
      "Under the hood a channel is a queue protected by a lock, plus two queues of parked goroutines. "
      "A send to a parked receiver copies the value straight onto the receiver's stack and makes it "
      "runnable; otherwise the value goes into the buffer if there is room, or the sender parks. "
      "Values leave in the order they entered, so a single producer and a single consumer always see "
      "the same sequence.\n\n"
      "A channel hands over ownership: after `ch <- v` the producer should not touch v again, and the "
      "consumer can use it without a lock. Closing is the producer's job, because only the sender "
      "knows when there is nothing more to send; the consumer's range loop then ends by itself once "
      "the buffer is drained.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      int_param("values", "Values", "How many numbers the producer sends.", 20, 0, 100000),
      int_param("buffer", "Buffer", "Capacity of the channel (0: unbuffered).", 0, 0, 10000),
      int_param("produce-ms", "Produce (ms)", "Time the producer spends making each value.", 10, 0, 1000),
      int_param("consume-ms", "Consume (ms)", "Time the consumer spends on each value.", 5, 0, 1000),
  };
  return Sample{std::move(info), producer_consumer_main};
}

}  // namespace goroscope::samples
