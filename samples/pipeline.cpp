// pipeline.cpp — generator → stages → sink, each stage owning the item it holds.
//
//   gen := func() <-chan *Item { out := make(chan *Item); go func() { for i := range n { out <- newItem(i) }; close(out) }(); return out }
//   sq := func(in <-chan *Item) <-chan *Item { ... for it := range in { it.v *= it.v; out <- it } ... }
//   for it := range sink(sq(parse(gen()))) { ... }            // "ordered": one goroutine per stage
//   ... or K goroutines in the middle stage merged into one channel ("fan-out"): order is lost,
//   and the sink puts the items back in sequence with a reorder buffer.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gor/trace.hpp>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

// Item is the payload travelling down the pipeline. It is passed as a std::unique_ptr: a stage
// that sends it gives it away (std::move), so two stages can never touch the same item. `live`
// counts the items in existence, to show none is leaked or freed twice.
struct Item {
  static inline std::atomic<int64_t> live{0};
  int64_t seq = 0;          // position in the input
  int64_t value = 0;        // what the stages transform
  std::string trail;        // which stage goroutines handled it
  explicit Item(int64_t s) : seq(s), value(s) { live.fetch_add(1, std::memory_order_relaxed); }
  ~Item() { live.fetch_sub(1, std::memory_order_relaxed); }
  Item(const Item&) = delete;
  Item& operator=(const Item&) = delete;
};
using ItemPtr = std::unique_ptr<Item>;

// stage() starts `width` goroutines that move items from `in` to a new channel, applying fn;
// the last of them to finish closes the output (a WaitGroup owned by the stage).
template <class F>
gor::Chan<ItemPtr> stage(const std::string& name, int width, gor::Chan<ItemPtr> in, size_t buffer, gor::Duration cost,
                         F fn) {
  auto out = gor::make_chan<ItemPtr>(buffer, name);
  auto wg = std::make_shared<gor::WaitGroup>();
  wg->add(width);
  for (int i = 1; i <= width; ++i) {
    std::string label = width == 1 ? name : name + " " + std::to_string(i);
    gor::go_named(label, [in, out, wg, cost, fn, label] {
      for (ItemPtr it : in) {  // we own `it` now
        gor::sleep(cost);      // the stage's work
        fn(*it);
        it->trail += (it->trail.empty() ? "" : " > ") + label;
        out.send(std::move(it));  // ...and now the next stage does
      }
      wg->done();
    });
  }
  gor::go_named(name + " closer", [wg, out] {
    wg->wait();
    out.close();
  });
  return out;
}

void pipeline_main(const SampleParams& p, SampleOutcome& out) {
  const int64_t n = p.get_int("items");
  const bool fan_out = p.get_choice("design") == "fan-out";
  const int width = fan_out ? static_cast<int>(p.get_int("width")) : 1;
  const auto buffer = static_cast<size_t>(p.get_int("buffer"));
  const gor::Duration cost = std::chrono::milliseconds(p.get_int("stage-ms"));
  const int64_t live_before = Item::live.load();

  gor::log("pipeline start");
  auto gen = gor::make_chan<ItemPtr>(buffer, "generated");
  gor::go_named("generator", [gen, n] {
    for (int64_t i = 0; i < n; ++i) gen.send(std::make_unique<Item>(i));
    gen.close();  // the generator owns `gen`: it alone closes it
  });
  auto parsed = stage("parse", 1, gen, buffer, cost, [](Item& it) { it.value += 1; });
  auto squared = stage("square", width, parsed, buffer, cost, [cost](Item& it) {
    gor::sleep(cost * (it.seq % 3));  // some items are harder: later ones can overtake them
    it.value *= it.value;
  });
  auto formatted = stage("offset", 1, squared, buffer, cost, [](Item& it) { it.value -= 1; });

  // The sink: receives in arrival order; with a fan-out it restores sequence order by holding
  // early items in a reorder buffer until the next expected one arrives.
  std::vector<int64_t> arrival;
  std::vector<int64_t> delivered;
  std::map<int64_t, ItemPtr> held;
  int64_t wrong = 0;
  size_t most_held = 0;
  std::string first_trail;
  for (ItemPtr it : formatted) {
    arrival.push_back(it->seq);
    if (it->value != (it->seq + 1) * (it->seq + 1) - 1) ++wrong;
    if (first_trail.empty()) first_trail = it->trail;
    const int64_t seq = it->seq;
    held.emplace(seq, std::move(it));
    most_held = std::max(most_held, held.size());
    while (!held.empty() && held.begin()->first == static_cast<int64_t>(delivered.size())) {
      delivered.push_back(held.begin()->first);
      held.erase(held.begin());  // the sink is the last owner: the item is freed here
    }
  }
  gor::log("pipeline drained");

  int64_t out_of_order = 0;
  for (size_t i = 1; i < arrival.size(); ++i)
    if (arrival[i] < arrival[i - 1]) ++out_of_order;
  bool delivered_in_order = delivered.size() == static_cast<size_t>(n);
  for (size_t i = 0; i < delivered.size() && delivered_in_order; ++i)
    delivered_in_order = delivered[i] == static_cast<int64_t>(i);
  std::vector<int> seen(static_cast<size_t>(n), 0);
  for (int64_t s : arrival)
    if (s >= 0 && s < n) ++seen[static_cast<size_t>(s)];
  int64_t missing = 0;
  int64_t duplicated = 0;
  for (int c : seen) {
    if (c == 0) ++missing;
    if (c > 1) ++duplicated;
  }
  const int64_t live_after = Item::live.load() - live_before;

  out.say(fan_out ? "fan-out" : "ordered", " design: generator > parse > square",
          fan_out ? " x" + std::to_string(width) : std::string(), " > offset > sink, ", n, " items");
  out.say("item 0 went through: ", first_trail);
  out.say("arrived: ", arrival.size(), " items, ", missing, " missing, ", duplicated, " duplicated, ", wrong,
          " wrong values; ", out_of_order, " arrived before an earlier one");
  out.say("sink delivered ", delivered.size(), " items ", delivered_in_order ? "in order" : "NOT in order",
          " (reorder buffer held at most ", most_held, "); items still alive: ", live_after);
  out.set("items", static_cast<double>(n));
  out.set("arrived", static_cast<double>(arrival.size()));
  out.set("missing", static_cast<double>(missing));
  out.set("duplicated", static_cast<double>(duplicated));
  out.set("wrong", static_cast<double>(wrong));
  out.set("out_of_order", static_cast<double>(out_of_order));
  out.set("delivered_in_order", delivered_in_order ? 1 : 0);
  out.set("most_held", static_cast<double>(most_held));
  out.set("live_items", static_cast<double>(live_after));
}

}  // namespace

Sample pipeline() {
  SampleInfo info;
  info.id = "pipeline";
  info.title = "Pipelines";
  info.topic = "Patterns";
  info.summary = "Generator, stages and sink connected by channels, passing ownership of each item; a fan-out stage loses the order and the sink restores it.";
  info.explanation =
      "A generator creates numbered items and sends them down a chain of stages: parse, square and "
      "offset, each a goroutine that ranges over its input channel, works on an item and sends it "
      "on. The sink at the end checks every value. Items travel as std::unique_ptr: sending one "
      "moves it into the channel, so exactly one goroutine owns an item at any time and no lock is "
      "needed to touch it. That is Go's advice made explicit by the type system: share memory by "
      "communicating.\n\n"
      "What to watch: with the `ordered` design the items flow like a bucket brigade, every stage "
      "busy on a different item, and they reach the sink in input order. With `fan-out` the square "
      "stage runs several goroutines reading the same channel; the pipeline is faster, but items "
      "overtake each other, so the sink holds early arrivals in a reorder buffer and releases them "
      "in sequence. Each stage closes its output when its last goroutine finishes (a WaitGroup), "
      "and the closes ripple down to the sink's range loop.\n\n"
      "Under the hood every hand-over is a channel operation: with buffer 0 each one is a rendezvous "
      "and the stages advance in lock-step; a small buffer lets a fast stage run ahead of a slow one "
      "until the buffer fills.\n\n"
      "The pitfalls: closing a stage's output while another goroutine of the same stage still "
      "sends (panic), forgetting to close (the sink waits forever), and assuming a fan-out keeps "
      "the order. The fixes: the owner closes after a WaitGroup, and anything that needs order "
      "carries a sequence number.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      int_param("items", "Items", "How many items the generator creates.", 30, 1, 100000),
      choice_param("design", "Design", "One goroutine per stage (ordered) or several in the square stage (fan-out).",
                   {"ordered", "fan-out"}),
      int_param("width", "Fan-out width", "Goroutines in the square stage with the fan-out design.", 3, 1, 32),
      int_param("buffer", "Buffer", "Capacity of each channel between stages (0: unbuffered).", 0, 0, 1000),
      int_param("stage-ms", "Stage work (ms)", "How long each stage works on one item (engine ms).", 5, 0, 1000),
  };
  return Sample{std::move(info), pipeline_main};
}

}  // namespace goroscope::samples
