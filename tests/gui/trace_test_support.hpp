// trace_test_support.hpp — for trace_tests: a small traced program, file helpers and a tiny
// JSON reader (enough to check the Chrome export's structure without a JSON library).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gor/chan.hpp>
#include <gor/mutex.hpp>
#include <gor/runtime.hpp>
#include <gor/trace.hpp>
#include <gor/waitgroup.hpp>

namespace goroscope::trace::testing {

// spin() keeps the goroutine on its P for `us` microseconds without a scheduling point, so
// goroutines queued behind it on that P are left for idle Ps to steal.
inline void spin(int us) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < until) {
  }
}

// traced_program() runs a small program with tracing on, delivering to `observer`: a burst of
// spinning goroutines on one P (idle Ps steal them), a buffered channel between a producer
// and main, a mutex held across sleeps (a waiter passes 1 ms: starvation mode), and logs.
// `spinners` scales it (the corruption test uses a small one).
inline gor::RunResult traced_program(gor::TraceObserver* observer, int spinners = 24, int procs = 4) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.seed = 1;
  cfg.trace = true;
  cfg.observer = observer;
  return gor::run(cfg, [spinners] {
    gor::log("phase: spinners");
    gor::WaitGroup wg;
    for (int i = 0; i < spinners; ++i) {
      wg.add(1);
      gor::go_named("spinner " + std::to_string(i), [&wg] {
        spin(300);
        gor::yield();
        spin(100);
        wg.done();
      });
    }
    wg.wait();

    gor::log("phase: channel");
    auto ch = gor::make_chan<int>(3, "jobs");
    gor::go_named("producer", [ch] {
      for (int i = 0; i < 12; ++i) ch.send(i);
      ch.close();
    });
    int sum = 0;
    for (;;) {
      auto [v, ok] = ch.recv_ok();
      if (!ok) break;
      sum += v;
      spin(20);
    }

    gor::log("phase: mutex");
    gor::Mutex mu;
    std::atomic<bool> stop{false};
    gor::WaitGroup done;
    done.add(2);
    gor::go_named("greedy", [&] {
      for (int r = 0; r < 4 && !stop.load(); ++r) {
        mu.lock();
        gor::sleep(std::chrono::milliseconds(2));
        mu.unlock();
      }
      done.done();
    });
    gor::go_named("polite", [&] {
      for (int r = 0; r < 3; ++r) {
        gor::sleep(std::chrono::microseconds(200));
        mu.lock();
        mu.unlock();
      }
      stop.store(true);
      done.done();
    });
    done.wait();
    gor::log("done, sum " + std::to_string(sum));
  });
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Json is a parsed JSON value. Numbers keep their text (for exact checks).
struct Json {
  enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool boolean = false;
  std::string text;  // String: the decoded string (\u escapes as UTF-8); Number: as written
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  const Json* get(const std::string& key) const {
    for (const auto& [k, v] : object)
      if (k == key) return &v;
    return nullptr;
  }
  std::string str(const std::string& key) const {
    const Json* v = get(key);
    return v != nullptr && v->type == Type::String ? v->text : std::string();
  }
  std::string num(const std::string& key) const {
    const Json* v = get(key);
    return v != nullptr && v->type == Type::Number ? v->text : std::string();
  }
};

// parse_json() parses a whole JSON document (RFC 8259); throws std::runtime_error.
class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  Json parse() {
    Json v = value(0);
    ws();
    if (i_ != s_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("JSON: " + why + " at offset " + std::to_string(i_));
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  bool lit(const char* w) {
    const std::string word(w);
    if (s_.compare(i_, word.size(), word) == 0) {
      i_ += word.size();
      return true;
    }
    return false;
  }
  Json value(int depth) {
    if (depth > 64) fail("too deep");
    ws();
    if (i_ >= s_.size()) fail("unexpected end");
    Json v;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      v.type = Json::Type::Object;
      if (eat('}')) return v;
      do {
        ws();
        std::string key = string();
        expect(':');
        v.object.emplace_back(std::move(key), value(depth + 1));
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      ++i_;
      v.type = Json::Type::Array;
      if (eat(']')) return v;
      do v.array.push_back(value(depth + 1));
      while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.type = Json::Type::String;
      v.text = string();
    } else if (lit("true")) {
      v.type = Json::Type::Bool;
      v.boolean = true;
    } else if (lit("false")) {
      v.type = Json::Type::Bool;
    } else if (lit("null")) {
    } else {
      v.type = Json::Type::Number;
      const size_t start = i_;
      if (s_[i_] == '-') ++i_;
      if (i_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[i_]))) fail("bad number");
      if (s_[i_] == '0') ++i_;
      else while (i_ < s_.size() && isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ < s_.size() && s_[i_] == '.') {
        ++i_;
        if (i_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[i_]))) fail("bad fraction");
        while (i_ < s_.size() && isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      }
      if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
        ++i_;
        if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
        if (i_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[i_]))) fail("bad exponent");
        while (i_ < s_.size() && isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      }
      v.text = s_.substr(start, i_ - start);
    }
    return v;
  }
  std::string string() {
    if (i_ >= s_.size() || s_[i_] != '"') fail("expected a string");
    ++i_;
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return out;
      if (c < 0x20) fail("control character in a string");
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (i_ >= s_.size()) fail("bad escape");
      const char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) fail("bad \\u escape");
          const unsigned cp = static_cast<unsigned>(std::stoul(s_.substr(i_, 4), nullptr, 16));
          i_ += 4;
          if (cp < 0x80) out += static_cast<char>(cp);
          else if (cp < 0x800) out += static_cast<char>(0xc0 | (cp >> 6)), out += static_cast<char>(0x80 | (cp & 0x3f));
          else {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          }
          break;
        }
        default: fail("bad escape");
      }
    }
  }
  const std::string& s_;
  size_t i_ = 0;
};

inline Json parse_json(const std::string& s) { return JsonParser(s).parse(); }

}  // namespace goroscope::trace::testing
