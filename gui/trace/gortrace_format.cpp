// gortrace_format.cpp — the .gortrace writer and reader (format: docs/gortrace-format.md).
#include "gortrace_format.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

namespace goroscope::trace {

namespace {

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big);

// ---- encoding (little-endian, whatever the host) ----

template <class T>
void put(std::string& out, T value) {
  using U = std::make_unsigned_t<T>;
  U u = static_cast<U>(value);
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

void put_f64(std::string& out, double d) { put<uint64_t>(out, std::bit_cast<uint64_t>(d)); }

void put_str(std::string& out, const std::string& s) {
  put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out += s;
}

void put_chunk(std::string& out, ChunkType type, const std::string& payload) {
  put<uint32_t>(out, static_cast<uint32_t>(type));
  put<uint32_t>(out, static_cast<uint32_t>(payload.size()));
  out += payload;
}

void put_event(std::string& out, const gor::Event& e) {
  put<int64_t>(out, e.ts);
  put<uint64_t>(out, e.g);
  put<uint64_t>(out, e.a0);
  put<uint64_t>(out, e.a1);
  put<uint64_t>(out, e.a2);
  put<int16_t>(out, e.p);
  put<int16_t>(out, e.m);
  out.push_back(static_cast<char>(e.kind));
  out.append(3, '\0');
}

std::string encode_header(const TraceHeader& h) {
  std::string payload;
  put<int32_t>(payload, h.procs);
  put<uint64_t>(payload, h.seed);
  put_f64(payload, h.dilation);
  put<int64_t>(payload, h.start_wall_ns);
  put_str(payload, h.sample);
  put_str(payload, h.params);
  put<uint32_t>(payload, (h.deterministic ? kHeaderDeterministicBit : 0u) | (h.race ? 2u : 0u));
  put<int64_t>(payload, h.op_cost_ns);
  std::string out(kGortraceMagic, sizeof kGortraceMagic);
  put<uint32_t>(out, kGortraceVersion);
  put<uint32_t>(out, static_cast<uint32_t>(payload.size()));
  out += payload;
  return out;
}

std::string encode_footer(const TraceFooter& f) {
  std::string payload;
  // status: gor::RunStatus in bits 0-7, bit 8 set for a fatal error (RunResult::fatal).
  put<uint32_t>(payload, static_cast<uint32_t>(f.status) | (f.fatal ? kFooterFatalBit : 0u));
  put_str(payload, f.message);
  put_str(payload, f.dump);
  for (uint64_t v : {f.events, f.strings, f.goroutines_created, f.steals, f.preempt_requests, f.syscall_handoffs,
                     f.leaked, f.max_threads, f.panicking_goid, f.trace_waits})
    put<uint64_t>(payload, v);
  std::string out;
  put_chunk(out, ChunkType::Footer, payload);
  return out;
}

// ---- decoding ----

const char* chunk_name(uint32_t type) {
  switch (type) {
    case static_cast<uint32_t>(ChunkType::Strings): return "string definitions chunk";
    case static_cast<uint32_t>(ChunkType::Events): return "event batch chunk";
    case static_cast<uint32_t>(ChunkType::Footer): return "footer chunk";
    case static_cast<uint32_t>(ChunkType::Schedule): return "schedule chunk";
  }
  return "chunk";
}

// Reader reads fields from [pos, end) of the file image; `what` names the part being read for
// messages. Every read checks the bounds first, so nothing can run past the image.
class Reader {
 public:
  Reader(std::string_view file, size_t pos, size_t end, const char* what)
      : file_(file), pos_(pos), end_(end), what_(what) {}

  size_t pos() const { return pos_; }
  size_t left() const { return end_ - pos_; }

  [[noreturn]] void truncated() const {
    // The part claims more bytes than it has: either the file ends early, or (inside a
    // chunk) a length field points past the chunk.
    if (end_ == file_.size())
      throw GortraceError("truncated file at offset " + std::to_string(file_.size()) + " (" + what_ + ")");
    throw GortraceError(std::string("corrupt ") + what_ + ": a length at offset " + std::to_string(pos_) +
                        " runs past the chunk's end at offset " + std::to_string(end_));
  }
  [[noreturn]] void corrupt(size_t at, const std::string& why) const {
    throw GortraceError(why + " at offset " + std::to_string(at) + " (" + what_ + ")");
  }

  template <class T>
  T get() {
    if (left() < sizeof(T)) truncated();
    using U = std::make_unsigned_t<T>;
    U u = 0;
    for (size_t i = 0; i < sizeof(T); ++i) u |= static_cast<U>(static_cast<uint8_t>(file_[pos_ + i])) << (8 * i);
    pos_ += sizeof(T);
    return static_cast<T>(u);
  }
  double get_f64() { return std::bit_cast<double>(get<uint64_t>()); }
  std::string get_str() {
    const uint32_t n = get<uint32_t>();
    if (n > left()) truncated();  // bounded by what is there: no huge allocation
    std::string s(file_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  void expect_end() const {
    if (pos_ != end_) corrupt(pos_, std::to_string(end_ - pos_) + " unexpected bytes");
  }

 private:
  std::string_view file_;
  size_t pos_;
  size_t end_;
  const char* what_;
};

void read_strings(Reader& r, TraceFile& t, uint64_t& count) {
  const uint32_t n = r.get<uint32_t>();
  // Each definition takes at least 12 bytes: a count larger than that is corrupt (checked
  // before anything is reserved or read).
  if (n > r.left() / 12) r.corrupt(r.pos() - 4, "string count " + std::to_string(n) + " too large for the chunk");
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t id = r.get<uint64_t>();
    t.strings[id] = r.get_str();
  }
  r.expect_end();
  count += n;
}

void read_events(Reader& r, TraceFile& t) {
  const size_t count_at = r.pos();
  const uint32_t n = r.get<uint32_t>();
  if (r.left() % kEventRecordSize != 0 || r.left() / kEventRecordSize != n)
    r.corrupt(count_at, "event count " + std::to_string(n) + " does not match the chunk length (" +
                            std::to_string(r.left()) + " bytes of records)");
  t.events.reserve(t.events.size() + n);
  for (uint32_t i = 0; i < n; ++i) {
    const size_t at = r.pos();
    gor::Event e;
    e.ts = r.get<int64_t>();
    e.g = r.get<uint64_t>();
    e.a0 = r.get<uint64_t>();
    e.a1 = r.get<uint64_t>();
    e.a2 = r.get<uint64_t>();
    e.p = r.get<int16_t>();
    e.m = r.get<int16_t>();
    const uint8_t kind = r.get<uint8_t>();
    const uint8_t pad0 = r.get<uint8_t>(), pad1 = r.get<uint8_t>(), pad2 = r.get<uint8_t>();
    if (e.ts < 0) r.corrupt(at, "negative event timestamp " + std::to_string(e.ts));
    if (e.p < -1) r.corrupt(at, "event P " + std::to_string(e.p) + " out of range");
    if (e.m < -1) r.corrupt(at, "event M " + std::to_string(e.m) + " out of range");
    if ((pad0 | pad1 | pad2) != 0) r.corrupt(at, "nonzero padding in an event record");
    if (kind >= static_cast<uint8_t>(gor::EventKind::Count_)) {  // a newer writer's kind: skip it
      ++t.unknown_events;
      continue;
    }
    e.kind = static_cast<gor::EventKind>(kind);
    t.events.push_back(e);
  }
}

void read_footer(Reader& r, TraceFooter& f) {
  const size_t at = r.pos();
  const uint32_t word = r.get<uint32_t>();
  const uint32_t status = word & ~kFooterFatalBit;
  if (status > static_cast<uint32_t>(gor::RunStatus::Deadlock))
    r.corrupt(at, "run status " + std::to_string(word) + " out of range");
  f.status = static_cast<gor::RunStatus>(status);
  f.fatal = (word & kFooterFatalBit) != 0;
  f.message = r.get_str();
  f.dump = r.get_str();
  for (uint64_t* v : {&f.events, &f.strings, &f.goroutines_created, &f.steals, &f.preempt_requests,
                      &f.syscall_handoffs, &f.leaked, &f.max_threads, &f.panicking_goid, &f.trace_waits})
    *v = r.get<uint64_t>();
  r.expect_end();
}

}  // namespace

const std::string& TraceFile::string(uint64_t id) const {
  static const std::string empty;
  auto it = strings.find(id);
  return it == strings.end() ? empty : it->second;
}

std::string encode_schedule_chunk(const gor::Schedule& s) {
  std::string payload;
  put<uint64_t>(payload, s.seed);
  put<uint32_t>(payload, s.preemption_points ? 1u : 0u);
  put<uint32_t>(payload, static_cast<uint32_t>(s.bytes.size()));
  payload.append(reinterpret_cast<const char*>(s.bytes.data()), s.bytes.size());
  std::string out;
  put_chunk(out, ChunkType::Schedule, payload);
  return out;
}

TraceFooter footer_from(const gor::RunResult& r) {
  TraceFooter f;
  f.status = r.status;
  f.fatal = r.fatal;
  f.message = r.message;
  f.dump = r.dump;
  f.goroutines_created = r.goroutines_created;
  f.steals = r.steals;
  f.preempt_requests = r.preempt_requests;
  f.syscall_handoffs = r.syscall_handoffs;
  f.leaked = r.leaked;
  f.max_threads = static_cast<uint64_t>(std::max(r.max_threads, 0));
  f.panicking_goid = r.panicking_goid;
  f.trace_waits = r.trace_waits;
  return f;
}

TraceFile parse_gortrace(std::string_view file) {
  TraceFile t;
  // Every event takes a 48-byte record, so this bound is never larger than the file and saves
  // the reallocations (and their 2x peaks) of a 10-million-event trace.
  t.events.reserve(file.size() / kEventRecordSize);
  if (file.size() < sizeof kGortraceMagic ||
      std::memcmp(file.data(), kGortraceMagic, sizeof kGortraceMagic) != 0) {
    throw GortraceError("not a .gortrace file (it does not start with \"GORTRACE\")");
  }
  Reader top(file, sizeof kGortraceMagic, file.size(), "file header");
  const uint32_t version = top.get<uint32_t>();
  if (version < kGortraceOldestVersion || version > kGortraceVersion)
    throw GortraceError("unsupported version " + std::to_string(version) + " (this build reads versions " +
                        std::to_string(kGortraceOldestVersion) + " to " + std::to_string(kGortraceVersion) + ")");
  const uint32_t header_len = top.get<uint32_t>();
  if (header_len > top.left()) top.truncated();
  {
    Reader h(file, top.pos(), top.pos() + header_len, "file header");
    t.header.version = version;
    t.header.procs = h.get<int32_t>();
    t.header.seed = h.get<uint64_t>();
    t.header.dilation = h.get_f64();
    t.header.start_wall_ns = h.get<int64_t>();
    t.header.sample = h.get_str();
    t.header.params = h.get_str();
    if (version >= 2) {
      const size_t at = h.pos();
      const uint32_t flags = h.get<uint32_t>();
      if (flags & ~3u) h.corrupt(at, "unknown header flags " + std::to_string(flags));
      t.header.deterministic = (flags & kHeaderDeterministicBit) != 0;
      t.header.race = (flags & 2u) != 0;
      t.header.op_cost_ns = h.get<int64_t>();
      if (t.header.op_cost_ns < 0) h.corrupt(at + 4, "negative operation cost");
    }
    h.expect_end();
  }
  size_t pos = top.pos() + header_len;
  uint64_t strings = 0;
  bool footer = false;
  while (pos < file.size()) {
    if (footer) throw GortraceError("trailing data after the footer at offset " + std::to_string(pos));
    Reader ch(file, pos, file.size(), "chunk header");
    const uint32_t type = ch.get<uint32_t>();
    const uint32_t len = ch.get<uint32_t>();
    const char* name = chunk_name(type);
    if (std::string_view(name) == "chunk")
      throw GortraceError("unknown chunk type " + std::to_string(type) + " at offset " + std::to_string(pos));
    if (len > ch.left())
      throw GortraceError("truncated file at offset " + std::to_string(file.size()) + " (" + name + ")");
    Reader body(file, ch.pos(), ch.pos() + len, name);
    switch (static_cast<ChunkType>(type)) {
      case ChunkType::Strings: read_strings(body, t, strings); break;
      case ChunkType::Events: read_events(body, t); break;
      case ChunkType::Footer:
        read_footer(body, t.footer);
        footer = true;
        break;
      case ChunkType::Schedule: {
        if (t.schedule) body.corrupt(body.pos(), "a second schedule chunk");
        gor::Schedule s;
        s.seed = body.get<uint64_t>();
        const size_t flags_at = body.pos();
        const uint32_t flags = body.get<uint32_t>();
        if (flags & ~1u) body.corrupt(flags_at, "unknown schedule flags " + std::to_string(flags));
        s.preemption_points = (flags & 1u) != 0;
        const uint32_t n = body.get<uint32_t>();
        if (n > body.left()) body.truncated();
        for (uint32_t i = 0; i < n; ++i) s.bytes.push_back(body.get<uint8_t>());
        body.expect_end();
        std::string why;
        if (!s.decode(&why)) body.corrupt(body.pos(), why);
        t.schedule = std::move(s);
        break;
      }
    }
    pos = ch.pos() + len;
  }
  if (!footer)
    throw GortraceError("truncated file at offset " + std::to_string(file.size()) +
                        " (no footer: the run did not finish writing it)");
  if (t.footer.events != t.events.size() + t.unknown_events)
    throw GortraceError("the footer counts " + std::to_string(t.footer.events) + " events but the file holds " +
                        std::to_string(t.events.size() + t.unknown_events));
  if (t.footer.strings != strings)
    throw GortraceError("the footer counts " + std::to_string(t.footer.strings) +
                        " string definitions but the file holds " + std::to_string(strings));
  const auto by_ts = [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; };
  if (!std::is_sorted(t.events.begin(), t.events.end(), by_ts))  // sorting allocates half the events again
    std::stable_sort(t.events.begin(), t.events.end(), by_ts);
  return t;
}

TraceFile read_gortrace_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw GortraceError("cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw GortraceError("cannot read '" + path + "'");
  const std::string image = bytes.str();
  try {
    return parse_gortrace(image);
  } catch (const GortraceError& e) {
    // Name the file: "gortrace: x.gortrace: truncated file at offset ..."
    throw GortraceError(path + ": " + (e.what() + std::strlen("gortrace: ")));
  }
}

void write_gortrace_file(const TraceFile& t, const std::string& path) {
  const std::string part = path + ".part";
  std::FILE* f = std::fopen(part.c_str(), "wb");
  if (f == nullptr) throw GortraceError("cannot create '" + path + "': " + std::strerror(errno));
  std::string error;
  auto write = [&](const std::string& bytes) {
    if (error.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) error = std::strerror(errno);
  };
  write(encode_header(t.header));
  // Strings in id order (a stable file for the same trace), 64K definitions per chunk.
  std::vector<std::pair<uint64_t, const std::string*>> strings;
  strings.reserve(t.strings.size());
  for (const auto& [id, text] : t.strings) strings.emplace_back(id, &text);
  std::sort(strings.begin(), strings.end());
  for (size_t i = 0; i < strings.size();) {
    std::string payload;
    const size_t n = std::min<size_t>(strings.size() - i, 65536);
    put<uint32_t>(payload, static_cast<uint32_t>(n));
    for (size_t j = 0; j < n; ++j, ++i) {
      put<uint64_t>(payload, strings[i].first);
      put_str(payload, strings[i].second->substr(0, 1 << 16));
    }
    std::string chunk;
    put_chunk(chunk, ChunkType::Strings, payload);
    write(chunk);
  }
  constexpr size_t kMaxBatch = 65536;
  std::string chunk;
  for (size_t i = 0; i < t.events.size() && error.empty(); i += kMaxBatch) {
    const size_t n = std::min(kMaxBatch, t.events.size() - i);
    std::string payload;
    payload.reserve(4 + n * kEventRecordSize);
    put<uint32_t>(payload, static_cast<uint32_t>(n));
    for (size_t j = 0; j < n; ++j) put_event(payload, t.events[i + j]);
    chunk.clear();
    put_chunk(chunk, ChunkType::Events, payload);
    write(chunk);
  }
  if (t.schedule) write(encode_schedule_chunk(*t.schedule));
  TraceFooter footer = t.footer;
  footer.events = t.events.size();
  footer.strings = strings.size();
  write(encode_footer(footer));
  if (std::fflush(f) != 0 && error.empty()) error = std::strerror(errno);
  if (std::fclose(f) != 0 && error.empty()) error = std::strerror(errno);
  if (error.empty() && std::rename(part.c_str(), path.c_str()) != 0) error = std::strerror(errno);
  if (!error.empty()) {
    std::remove(part.c_str());
    throw GortraceError("cannot write '" + path + "': " + error);
  }
}

// ---- GortraceWriter ----

GortraceWriter::GortraceWriter(const std::string& path, const TraceHeader& header)
    : path_(path), canonical_(header.deterministic) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) throw GortraceError("cannot create '" + path + "': " + std::strerror(errno));
  std::lock_guard<std::mutex> guard(mu_);
  write_bytes(encode_header(header));
  if (file_ != nullptr && std::fflush(file_) != 0 && error_.empty()) error_ = std::strerror(errno);
  if (!error_.empty()) {
    std::fclose(file_);
    file_ = nullptr;
    throw GortraceError("cannot write '" + path + "': " + error_);
  }
}

GortraceWriter::~GortraceWriter() {
  if (file_ != nullptr) std::fclose(file_);  // no footer: readers will see a truncated file
}

void GortraceWriter::write_bytes(const std::string& bytes) {
  if (file_ == nullptr || !error_.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) error_ = std::strerror(errno);
}

void GortraceWriter::flush_strings() {
  if (pending_strings_.empty()) return;
  // One chunk per at most 64K definitions, each chunk well under 4 GiB.
  size_t i = 0;
  while (i < pending_strings_.size()) {
    std::string payload;
    const size_t n = std::min<size_t>(pending_strings_.size() - i, 65536);
    put<uint32_t>(payload, static_cast<uint32_t>(n));
    for (size_t j = 0; j < n; ++j, ++i) {
      put<uint64_t>(payload, pending_strings_[i].first);
      put_str(payload, pending_strings_[i].second.substr(0, 1 << 16));
    }
    std::string chunk;
    put_chunk(chunk, ChunkType::Strings, payload);
    write_bytes(chunk);
    strings_ += n;
  }
  pending_strings_.clear();
}

void GortraceWriter::on_string(uint64_t id, const std::string& text) {
  std::lock_guard<std::mutex> guard(mu_);
  pending_strings_.emplace_back(id, text);
}

void GortraceWriter::on_events(const gor::Event* events, size_t count) {
  std::lock_guard<std::mutex> guard(mu_);
  if (canonical_) {
    held_events_.insert(held_events_.end(), events, events + count);
    return;
  }
  write_events(events, count);
}

void GortraceWriter::write_events(const gor::Event* events, size_t count) {
  flush_strings();  // strings first: every event's string ids are defined before it
  constexpr size_t kMaxBatch = 65536;
  for (size_t i = 0; i < count; i += kMaxBatch) {
    const size_t n = std::min(kMaxBatch, count - i);
    std::string payload;
    payload.reserve(4 + n * kEventRecordSize);
    put<uint32_t>(payload, static_cast<uint32_t>(n));
    for (size_t j = 0; j < n; ++j) put_event(payload, events[i + j]);
    std::string chunk;
    chunk.reserve(8 + payload.size());
    put_chunk(chunk, ChunkType::Events, payload);
    write_bytes(chunk);
    if (error_.empty()) events_ += n;
  }
  if (file_ != nullptr && error_.empty() && std::fflush(file_) != 0) error_ = std::strerror(errno);
}

void GortraceWriter::finish(const gor::RunResult& result) {
  std::lock_guard<std::mutex> guard(mu_);
  if (file_ == nullptr) throw GortraceError("'" + path_ + "' is already finished");
  if (canonical_) {
    // A deterministic run's file in one canonical layout, whatever batches its events came
    // in (a pause delivers what was recorded so far): all strings by id, then the events
    // in chunks of kCanonicalBatch.
    std::sort(pending_strings_.begin(), pending_strings_.end());
    for (size_t i = 0; i < held_events_.size(); i += kCanonicalBatch) {
      write_events(held_events_.data() + i, std::min(kCanonicalBatch, held_events_.size() - i));
    }
    held_events_.clear();
    held_events_.shrink_to_fit();
  }
  flush_strings();
  if (result.deterministic) write_bytes(encode_schedule_chunk(result.schedule));
  TraceFooter f = footer_from(result);
  f.events = events_;
  f.strings = strings_;
  write_bytes(encode_footer(f));
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0 && error_.empty()) error_ = std::strerror(errno);
  if (!error_.empty()) throw GortraceError("cannot write '" + path_ + "': " + error_);
}

uint64_t GortraceWriter::events_written() const {
  std::lock_guard<std::mutex> guard(mu_);
  return events_ + held_events_.size();
}

// ---- MemoryTrace, TeeObserver ----

MemoryTrace::MemoryTrace(TraceHeader header) { trace_.header = std::move(header); }

void MemoryTrace::on_string(uint64_t id, const std::string& text) {
  std::lock_guard<std::mutex> guard(mu_);
  trace_.strings[id] = text;
  ++trace_.footer.strings;
}

void MemoryTrace::on_events(const gor::Event* events, size_t count) {
  std::lock_guard<std::mutex> guard(mu_);
  trace_.events.insert(trace_.events.end(), events, events + count);
}

void MemoryTrace::finish(const gor::RunResult& result) {
  std::lock_guard<std::mutex> guard(mu_);
  const uint64_t strings = trace_.footer.strings;
  trace_.footer = footer_from(result);
  trace_.footer.events = trace_.events.size();
  trace_.footer.strings = strings;
  if (result.deterministic) trace_.schedule = result.schedule;
  std::stable_sort(trace_.events.begin(), trace_.events.end(),
                   [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; });
}

void TeeObserver::on_string(uint64_t id, const std::string& text) {
  if (a_ != nullptr) a_->on_string(id, text);
  if (b_ != nullptr) b_->on_string(id, text);
}

void TeeObserver::on_events(const gor::Event* events, size_t count) {
  if (a_ != nullptr) a_->on_events(events, count);
  if (b_ != nullptr) b_->on_events(events, count);
}

int64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace goroscope::trace
