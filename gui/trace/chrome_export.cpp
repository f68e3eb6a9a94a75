// chrome_export.cpp — write_chrome_trace(): slices, overflow tracks, flows, instants, counters.
#include "chrome_export.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <ostream>
#include <unordered_map>
#include <vector>


namespace goroscope::trace {

namespace {

using gor::Event;
using gor::EventKind;

constexpr int64_t kEventsTidBase = 40000;     // tid of "P<n> events" = 40000 + n
constexpr int64_t kOverflowTidStride = 100000;// tid of overflow level k of P n = 100000*k + n
constexpr int64_t kRuntimeTid = 99999;

// Slice is one goroutine run on one P.
struct Slice {
  int p = 0;
  int64_t start = 0;
  int64_t end = -1;  // -1 while open
  uint64_t g = 0;
  const char* why = "";  // what ended it
  gor::WaitReason wait = gor::WaitReason::None;  // GoBlock: why
  int level = 0;         // 0: P's own track, k: overflow level k
  int64_t tid = 0;
};

// Out is one JSON trace event, kept with its time so the file comes out sorted.
struct Out {
  int64_t ts;
  std::string json;
};

const char* stop_reason(EventKind k) {
  switch (k) {
    case EventKind::GoBlock: return "blocked";
    case EventKind::GoYield: return "yielded";
    case EventKind::GoPreempted: return "preempted";
    case EventKind::GoEnd: return "ended";
    case EventKind::SyscallEnter: return "syscall";
    default: return "";
  }
}

std::string wait_text(gor::WaitReason reason) { return gor::wait_reason_text(reason); }

std::string q(const std::string& s) { return "\"" + json_escape(s) + "\""; }

// Counter is one counter track; samples at the same time are folded into the last one.
struct Counter {
  std::string name;
  std::string key;
  bool pending = false;
  int64_t ts = 0;
  int64_t value = 0;
  int64_t last = -1;  // last value written
};

class Exporter {
 public:
  explicit Exporter(const TraceFile& t) : t_(t) {}

  ChromeExportStats run(std::ostream& out) {
    const std::vector<Event>* events = &t_.events;
    std::vector<Event> sorted;
    if (!std::is_sorted(events->begin(), events->end(), [](const Event& a, const Event& b) { return a.ts < b.ts; })) {
      sorted = *events;
      std::stable_sort(sorted.begin(), sorted.end(), [](const Event& a, const Event& b) { return a.ts < b.ts; });
      events = &sorted;
    }
    const std::vector<Event>& ev = *events;
    if (!ev.empty()) last_ts_ = ev.back().ts;
    build_slices(ev);
    assign_tracks();
    write_slices();
    write_flows(ev);
    write_instants_and_counters(ev);
    write_metadata();

    std::stable_sort(outs_.begin(), outs_.end(), [](const Out& a, const Out& b) { return a.ts < b.ts; });
    out << "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"goroscope\",\"sample\":"
        << q(t_.header.sample) << ",\"params\":" << q(t_.header.params) << ",\"procs\":" << t_.header.procs
        << ",\"seed\":" << t_.header.seed << "},\n\"traceEvents\":[\n";
    for (size_t i = 0; i < outs_.size(); ++i) {
      out << outs_[i].json << (i + 1 < outs_.size() ? ",\n" : "\n");
    }
    out << "]}\n";
    stats_.events_written = outs_.size();
    return stats_;
  }

 private:
  void add(int64_t ts, std::string json) { outs_.push_back(Out{ts, std::move(json)}); }

  std::string label_of(uint64_t g) const {
    auto it = labels_.find(g);
    return it == labels_.end() ? std::string() : it->second;
  }

  // start_slice() opens a run slice of e.g on e.p at e.ts (a GoStart, or a SyscallExit that
  // got a P), closing one still open for it there ("restarted": a stop the trace lacks).
  void start_slice(std::unordered_map<uint64_t, size_t>& open, const Event& e) {
    auto it = open.find(e.g);
    if (it != open.end()) {
      slices_[it->second].end = e.ts;
      slices_[it->second].why = "restarted";
      open.erase(it);
    }
    if (e.p < 0) return;
    open[e.g] = slices_.size();
    Slice s;
    s.p = e.p;
    s.start = e.ts;
    s.g = e.g;
    slices_.push_back(s);
    by_g_[e.g].push_back(slices_.size() - 1);
  }

  void build_slices(const std::vector<Event>& ev) {
    std::unordered_map<uint64_t, size_t> open;  // goroutine -> its open slice
    for (const Event& e : ev) {
      switch (e.kind) {
        case EventKind::GoCreate:
          if (e.a2 != 0 && !t_.string(e.a2).empty()) labels_[e.g] = t_.string(e.a2);
          break;
        case EventKind::GoStart: start_slice(open, e); break;
        case EventKind::SyscallExit:  // back on a P (its own or an idle one): it runs again
          if (e.p >= 0) start_slice(open, e);
          break;
        case EventKind::GoBlock:
        case EventKind::GoYield:
        case EventKind::GoPreempted:
        case EventKind::GoEnd:
        case EventKind::SyscallEnter: {  // a syscall ends the run: the P may be handed off
          auto it = open.find(e.g);
          if (it == open.end()) break;
          Slice& s = slices_[it->second];
          s.end = e.ts;
          s.why = stop_reason(e.kind);
          if (e.kind == EventKind::GoBlock) s.wait = gor::block_fields(e).reason;
          open.erase(it);
          break;
        }
        default: break;
      }
    }
    for (auto& [g, idx] : open) {
      slices_[idx].end = last_ts_;
      slices_[idx].why = "running at the end of the trace";
    }
  }

  // assign_tracks() puts each slice on its P's track, or on the first overflow level of that
  // P where it does not overlap an earlier slice (touching is fine: Perfetto closes a slice
  // when the next one starts at its end).
  void assign_tracks() {
    std::map<int, std::vector<size_t>> per_p;
    for (size_t i = 0; i < slices_.size(); ++i) per_p[slices_[i].p].push_back(i);
    for (auto& [p, idx] : per_p) {
      std::stable_sort(idx.begin(), idx.end(), [this](size_t a, size_t b) {
        return slices_[a].start != slices_[b].start ? slices_[a].start < slices_[b].start
                                                    : slices_[a].end < slices_[b].end;
      });
      std::vector<int64_t> level_end;  // end of the last slice on each level
      for (size_t i : idx) {
        Slice& s = slices_[i];
        size_t level = 0;
        while (level < level_end.size() && level_end[level] > s.start) ++level;
        if (level == level_end.size()) level_end.push_back(s.end);
        level_end[level] = s.end;
        s.level = static_cast<int>(level);
        s.tid = level == 0 ? p : kOverflowTidStride * static_cast<int64_t>(level) + p;
        if (level > 0) ++stats_.overflow_slices;
        tracks_[s.tid] = level == 0 ? "P" + std::to_string(p)
                                    : "P" + std::to_string(p) + " overflow " + std::to_string(level);
        sort_index_[s.tid] = static_cast<int64_t>(p) * 4 + (level == 0 ? 0 : 2);
      }
    }
  }

  void write_slices() {
    for (const Slice& s : slices_) {
      std::string name = "G" + std::to_string(s.g);
      const std::string label = label_of(s.g);
      if (!label.empty()) name += " " + label;
      std::string args = "{\"g\":" + std::to_string(s.g) + ",\"p\":" + std::to_string(s.p);
      if (!label.empty()) args += ",\"label\":" + q(label);
      args += ",\"end\":" + q(s.why);
      if (std::strcmp(s.why, "blocked") == 0) args += ",\"wait\":" + q(wait_text(s.wait));
      args += "}";
      add(s.start, "{\"name\":" + q(name) + ",\"cat\":\"goroutine\",\"ph\":\"X\",\"pid\":1,\"tid\":" +
                       std::to_string(s.tid) + ",\"ts\":" + chrome_ts(s.start) +
                       ",\"dur\":" + chrome_dur(s.end - s.start) + ",\"args\":" + args + "}");
      ++stats_.slices;
    }
  }

  // slice_at() is the slice of goroutine g that covers time t (start <= t <= end), or nullptr.
  const Slice* slice_at(uint64_t g, int64_t t) const {
    auto it = by_g_.find(g);
    if (it == by_g_.end()) return nullptr;
    const std::vector<size_t>& v = it->second;
    auto ub = std::upper_bound(v.begin(), v.end(), t, [this](int64_t x, size_t i) { return x < slices_[i].start; });
    if (ub == v.begin()) return nullptr;
    const Slice& s = slices_[*(ub - 1)];
    return t <= s.end ? &s : nullptr;
  }

  // next_slice() is g's first slice starting at or after t, or nullptr.
  const Slice* next_slice(uint64_t g, int64_t t) const {
    auto it = by_g_.find(g);
    if (it == by_g_.end()) return nullptr;
    const std::vector<size_t>& v = it->second;
    auto lb = std::lower_bound(v.begin(), v.end(), t, [this](size_t i, int64_t x) { return slices_[i].start < x; });
    return lb == v.end() ? nullptr : &slices_[*lb];
  }

  // An arrow end must lie strictly inside its slice (Perfetto binds a flow to the slice open
  // on the track at that time, and a slice closes at its end), so slices under 2 ns hold none.
  void write_flows(const std::vector<Event>& ev) {
    uint64_t id = 0;
    for (const Event& e : ev) {
      if (e.kind != EventKind::GoUnblock || e.a0 == 0) continue;
      const Slice* from = slice_at(e.a0, e.ts);
      const Slice* to = next_slice(e.g, e.ts);
      if (from == nullptr || to == nullptr || from->end - from->start < 2 || to->end - to->start < 2) {
        ++stats_.flows_skipped;
        continue;
      }
      const int64_t s_ts = std::clamp(e.ts, from->start + 1, from->end - 1);
      const int64_t f_ts = to->start + 1;
      ++id;
      const std::string common = "\"name\":\"unblock\",\"cat\":\"flow\",\"id\":" + std::to_string(id) + ",\"pid\":1,";
      add(s_ts, "{" + common + "\"ph\":\"s\",\"bp\":\"e\",\"tid\":" + std::to_string(from->tid) +
                    ",\"ts\":" + chrome_ts(s_ts) + "}");
      add(f_ts, "{" + common + "\"ph\":\"f\",\"bp\":\"e\",\"tid\":" + std::to_string(to->tid) +
                    ",\"ts\":" + chrome_ts(f_ts) + "}");
      ++stats_.flows;
    }
  }

  void instant(int64_t ts, int64_t tid, const std::string& name, const std::string& cat, const std::string& args) {
    add(ts, "{\"name\":" + q(name) + ",\"cat\":" + q(cat) + ",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" +
                std::to_string(tid) + ",\"ts\":" + chrome_ts(ts) + ",\"args\":" + args + "}");
    ++stats_.instants;
  }

  // region() writes one end of a goroutine's named region as an async slice (ph b/e) whose
  // id is the goroutine, so Perfetto shows each goroutine's regions nested on their own track.
  void region(int64_t ts, const char* ph, uint64_t g, uint64_t name_id) {
    const std::string& name = t_.string(name_id);
    add(ts, "{\"name\":" + q(name.empty() ? "region" : name) + ",\"cat\":\"region\",\"ph\":\"" + ph +
                "\",\"pid\":1,\"id\":" + std::to_string(g) + ",\"ts\":" + chrome_ts(ts) + ",\"args\":{\"g\":" +
                std::to_string(g) + "}}");
    if (ph[0] == 'b') ++stats_.regions;
  }

  int64_t events_tid(int p) {
    if (p < 0) return kRuntimeTid;
    const int64_t tid = kEventsTidBase + p;
    tracks_[tid] = "P" + std::to_string(p) + " events";
    sort_index_[tid] = static_cast<int64_t>(p) * 4 + 1;
    return tid;
  }

  void sample(Counter& c, int64_t ts, int64_t value) {
    if (c.pending && c.ts != ts) flush(c);
    c.pending = true;
    c.ts = ts;
    c.value = value;
  }
  void flush(Counter& c) {
    if (!c.pending) return;
    c.pending = false;
    if (c.value == c.last) return;
    c.last = c.value;
    add(c.ts, "{\"name\":" + q(c.name) + ",\"ph\":\"C\",\"pid\":1,\"ts\":" + chrome_ts(c.ts) + ",\"args\":{" +
                  q(c.key) + ":" + std::to_string(c.value) + "}}");
    ++stats_.counter_samples;
  }

  void write_instants_and_counters(const std::vector<Event>& ev) {
    Counter goroutines{"goroutines", "live"};
    Counter runnable{"runnable", "count"};
    std::map<uint64_t, Counter> chans;
    std::map<uint64_t, std::string> object_names;  // ObjectCreate's names, by object id
    std::map<uint64_t, std::vector<uint64_t>> open_regions;  // goroutine -> names of its open regions
    int64_t live = 0, ready = 0;
    bool runtime_used = false;
    int64_t end_ts = last_ts_;
    for (const Event& e : ev) {
      switch (e.kind) {
        case EventKind::GoCreate:
          sample(goroutines, e.ts, ++live);
          sample(runnable, e.ts, ++ready);
          break;
        case EventKind::GoEnd:
          live = std::max<int64_t>(live - 1, 0);
          sample(goroutines, e.ts, live);
          break;
        case EventKind::GoUnblock:
        case EventKind::GoYield:
        case EventKind::GoPreempted: sample(runnable, e.ts, ++ready); break;
        case EventKind::GoStart:
          ready = std::max<int64_t>(ready - 1, 0);
          sample(runnable, e.ts, ready);
          break;
        case EventKind::ChanSend:
        case EventKind::ChanRecv: {
          auto [it, fresh] = chans.try_emplace(e.a0);
          if (fresh) {
            auto named = object_names.find(e.a0);
            it->second.name = named != object_names.end() ? "chan " + named->second : "chan " + std::to_string(e.a0);
            it->second.key = "buffered";
          }
          sample(it->second, e.ts, static_cast<int64_t>(std::min<uint64_t>(e.a1, INT64_MAX)));
          break;
        }
        case EventKind::Steal:
          instant(e.ts, events_tid(e.p), "steal", "scheduler",
                  "{\"thief\":" + std::to_string(e.p) + ",\"victim\":" + std::to_string(e.a0) +
                      ",\"taken\":" + std::to_string(e.a1) + "}");
          break;
        case EventKind::StealMove:  // one per goroutine the steal just before it moved
          instant(e.ts, events_tid(e.p), "stolen G" + std::to_string(e.g), "scheduler",
                  "{\"g\":" + std::to_string(e.g) + ",\"victim\":" + std::to_string(e.a0) +
                      ",\"thief\":" + std::to_string(e.p) + "}");
          break;
        case EventKind::Handoff:
          instant(e.ts, events_tid(e.p), "handoff", "scheduler", "{\"p\":" + std::to_string(e.p) + "}");
          break;
        case EventKind::PreemptRequest:
          instant(e.ts, events_tid(e.p), "preempt", "scheduler",
                  "{\"g\":" + std::to_string(e.g) + ",\"p\":" + std::to_string(e.p) + "}");
          break;
        case EventKind::MutexMode:
          instant(e.ts, kRuntimeTid, gor::mutex_starving(e) ? "mutex starving" : "mutex normal", "sync",
                  "{\"mutex\":" + std::to_string(e.a0) + "}");
          runtime_used = true;
          break;
        case EventKind::Log: {
          const std::string& text = t_.string(e.a0);
          instant(e.ts, kRuntimeTid, text.empty() ? "log" : text, "log",
                  "{\"g\":" + std::to_string(e.g) + ",\"text\":" + q(text) + "}");
          runtime_used = true;
          break;
        }
        case EventKind::RunEnd: end_ts = e.ts; break;
        case EventKind::ObjectCreate:
          if (const gor::ObjectFields o = gor::object_fields(e); o.name != 0 && !t_.string(o.name).empty())
            object_names[o.object] = t_.string(o.name);
          break;
        case EventKind::PartialDeadlock:
          instant(e.ts, kRuntimeTid, "partial deadlock", "sync",
                  "{\"g\":" + std::to_string(e.a0) + ",\"length\":" + std::to_string(e.a1) +
                      ",\"text\":" + q(t_.string(e.a2)) + "}");
          runtime_used = true;
          break;
        case EventKind::Race:
          instant(e.ts, kRuntimeTid, "race", "race",
                  "{\"g\":" + std::to_string(e.g) + ",\"other\":" + std::to_string(e.a0) + ",\"site\":" +
                      q(t_.string(e.a1)) + ",\"report\":" + q(t_.string(e.a2)) + "}");
          runtime_used = true;
          break;
        case EventKind::ContextCancel:
          instant(e.ts, kRuntimeTid, gor::context_deadline(e) ? "context deadline exceeded" : "context canceled", "context",
                  "{\"g\":" + std::to_string(e.g) + ",\"done\":" + std::to_string(e.a0) +
                      ",\"parent_done\":" + std::to_string(e.a2) + "}");
          runtime_used = true;
          break;
        case EventKind::RegionBegin:
          open_regions[e.g].push_back(e.a0);
          region(e.ts, "b", e.g, e.a0);
          break;
        case EventKind::RegionEnd: {
          // An end without its begin (the region began before tracing saw it) is dropped;
          // an end closes the goroutine's innermost region, as Go's trace.Region.End must.
          auto it = open_regions.find(e.g);
          if (it == open_regions.end() || it->second.empty()) break;
          region(e.ts, "e", e.g, it->second.back());
          it->second.pop_back();
          break;
        }
        default: break;
      }
    }
    // Regions still open when the trace ends are closed there, innermost first.
    for (auto& [g, names] : open_regions) {
      for (auto name = names.rbegin(); name != names.rend(); ++name) region(end_ts, "e", g, *name);
    }
    flush(goroutines);
    flush(runnable);
    for (auto& [id, c] : chans) flush(c);
    const TraceFooter& f = t_.footer;
    if (f.status != gor::RunStatus::Ok) {
      const bool panic = f.status == gor::RunStatus::Panic;
      std::string args = "{\"message\":" + q(f.message);
      if (panic && f.panicking_goid != 0) args += ",\"g\":" + std::to_string(f.panicking_goid);
      args += "}";
      instant(end_ts, kRuntimeTid, panic ? "panic" : "deadlock", "run", args);
      runtime_used = true;
    }
    if (runtime_used) {
      tracks_[kRuntimeTid] = "runtime";
      sort_index_[kRuntimeTid] = -1;
    }
  }

  void write_metadata() {
    std::string process = "goroscope";
    if (!t_.header.sample.empty()) process += ": " + t_.header.sample;
    add(INT64_MIN, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":" + q(process) +
                       "}}");
    // Every P of the run gets its track, even one that never ran a goroutine.
    for (int p = 0; p < std::min(t_.header.procs, 4096); ++p) {
      if (!tracks_.count(p)) {
        tracks_[p] = "P" + std::to_string(p);
        sort_index_[p] = static_cast<int64_t>(p) * 4;
      }
    }
    for (const auto& [tid, name] : tracks_) {
      add(INT64_MIN, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" + std::to_string(tid) +
                         ",\"args\":{\"name\":" + q(name) + "}}");
      add(INT64_MIN, "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":" + std::to_string(tid) +
                         ",\"args\":{\"sort_index\":" + std::to_string(sort_index_[tid]) + "}}");
    }
  }

  const TraceFile& t_;
  int64_t last_ts_ = 0;
  std::vector<Slice> slices_;
  std::unordered_map<uint64_t, std::vector<size_t>> by_g_;  // goroutine -> its slices, by start
  std::unordered_map<uint64_t, std::string> labels_;
  std::map<int64_t, std::string> tracks_;      // tid -> thread name
  std::map<int64_t, int64_t> sort_index_;      // tid -> thread_sort_index
  std::vector<Out> outs_;
  ChromeExportStats stats_;
};

}  // namespace

std::string chrome_ts(int64_t ns) {
  std::string s;
  uint64_t u = static_cast<uint64_t>(ns);
  if (ns < 0) {
    s = "-";
    u = 0 - u;
  }
  std::string frac = std::to_string(u % 1000);
  s += std::to_string(u / 1000) + "." + std::string(3 - frac.size(), '0') + frac + "3";
  return s;
}

std::string chrome_dur(int64_t ns) {
  std::string s = chrome_ts(ns);
  s.back() = '1';
  return s;
}

std::string json_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence is copied; anything else becomes U+FFFD.
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) ok = false;
      else cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (ok) {
      if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        ok = false;
    }
    if (ok) {
      out.append(text, i, len);
      i += len;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  return out;
}

ChromeExportStats write_chrome_trace(const TraceFile& trace, std::ostream& out) { return Exporter(trace).run(out); }

ChromeExportStats export_chrome_file(const TraceFile& trace, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw GortraceError("cannot write '" + path + "': " + std::strerror(errno));
  ChromeExportStats stats = write_chrome_trace(trace, out);
  out.close();
  if (!out) throw GortraceError("cannot write '" + path + "': write failed");
  return stats;
}

}  // namespace goroscope::trace
