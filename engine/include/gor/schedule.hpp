// schedule.hpp — a deterministic run's schedule as data (Config::deterministic).
//
// A deterministic run is fixed by its Config (seed, procs, race, ...) and by the decisions of
// its chooser: each time two or more threads of the run (Ms, sysmon) could move next at the
// same virtual instant, the chooser picks one. A Schedule records those decisions in order;
// Config::replay re-executes them exactly. docs/gortrace-format.md documents the encoding
// (it is stored in a .gortrace's schedule section).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gor {

// Decision is one choice among `candidates` threads (>= 2): the `chosen`-th of them, in the
// order the threads were created.
struct Decision {
  uint32_t candidates = 0;
  uint32_t chosen = 0;
  bool operator==(const Decision&) const = default;
};

// Schedule is the decisions of one deterministic run, with the seed that ran it.
//
// Encoding of `bytes` (compact: one byte for almost every decision): a byte b >= 0x20 is one
// decision with candidates = b >> 4 (2..15) and chosen = b & 15 (< candidates); the byte 0x00
// is followed by two LEB128 varints, candidates and chosen, for the rare larger ones. Any
// other byte is malformed.
struct Schedule {
  uint64_t seed = 0;
  // preemption_points: the run had Config::preemption_points, so a Preempt decision (two
  // candidates) was taken at every scheduling point of a goroutine; replay needs the same.
  bool preemption_points = false;
  std::vector<uint8_t> bytes;

  // append() adds one decision at the end.
  void append(Decision d);
  // decode() is every decision in order, or nullopt (with `error` set) if bytes are malformed.
  std::optional<std::vector<Decision>> decode(std::string* error = nullptr) const;
  // size() is the number of decisions (bytes must be well formed).
  size_t size() const;
  bool operator==(const Schedule&) const = default;
};

// ScheduleReader reads a Schedule's decisions one at a time.
class ScheduleReader {
 public:
  explicit ScheduleReader(const Schedule& s) : s_(s) {}
  // next() is the next decision, or nullopt at the end or at a malformed byte (error()).
  std::optional<Decision> next();
  bool at_end() const noexcept { return at_ >= s_.bytes.size(); }
  size_t index() const noexcept { return index_; }  // decisions read so far
  const std::string& error() const noexcept { return error_; }

 private:
  const Schedule& s_;
  size_t at_ = 0;
  size_t index_ = 0;
  std::string error_;
};

}  // namespace gor
