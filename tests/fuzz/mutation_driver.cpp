// mutation_driver.cpp — main() for a fuzz target where libFuzzer is not available (GCC builds,
// the asan preset): a structure-aware mutation fuzzer with libFuzzer's command line.
//
//   gortrace_fuzz [-runs=N] [-max_total_time=S] [-seed=N] [-artifact_prefix=DIR/] INPUT...
//
// INPUTs are files or directories of files (the seed corpus). Each input runs once as it is;
// then, for -runs mutations or -max_total_time seconds (whichever ends first; neither: no
// mutations, only the inputs, as libFuzzer does when given files), a random input is mutated
// and run. The edits know the .gortrace layout (docs/gortrace-format.md): half the mutants get
// 1 to 4 edits of any kind (bit flips, byte and word overwrites with boundary values,
// truncation, deletion, splicing, chunk types and lengths), half get 1 to 8 rewrites of event
// record fields only, so the file mostly stays valid and events of any kind with any arguments
// reach the summary and the Chrome export. One in 4 of the mutants the reader accepts joins
// the pool (up to 512), so later edits start from deeper inputs. There is no coverage
// feedback: that is what the libFuzzer build adds (tests/fuzz/README.md).
//
// A crash (a signal, or ASan/UBSan ending the process) writes the input that caused it to
// DIR/crash-<run> before the process dies, so it can be replayed: `gortrace_fuzz FILE`.
// The same seed gives the same sequence of inputs. Exit status 0: no finding.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));
extern "C" size_t gortrace_fuzz_accepted __attribute__((weak));  // the target's count, if it keeps one

namespace {

// The input being run and where to write it if it kills us (read by the signal handler).
const std::string* g_current = nullptr;
char g_crash_path[4096] = "crash";

void save_current() {
  if (g_current == nullptr) return;
  const int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  size_t done = 0;
  while (done < g_current->size()) {
    const ssize_t n = ::write(fd, g_current->data() + done, g_current->size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  static const char msg[] = "gortrace_fuzz: the input that crashed is in ";
  (void)!::write(2, msg, sizeof msg - 1);
  (void)!::write(2, g_crash_path, std::strlen(g_crash_path));
  (void)!::write(2, "\n", 1);
  g_current = nullptr;
}

void on_signal(int sig) {
  save_current();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

uint32_t u32_at(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(b[at + i])) << (8 * i);
  return v;
}

void put_le(std::string& b, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes && at + i < b.size(); ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// Chunk is one chunk's header position in a .gortrace image.
struct Chunk {
  size_t at;  // offset of its type word
  uint32_t type, len;
};

std::vector<Chunk> chunks_of(const std::string& b) {
  std::vector<Chunk> out;
  if (b.size() < 16) return out;
  size_t pos = 16 + static_cast<size_t>(u32_at(b, 12));
  while (pos + 8 <= b.size() && out.size() < 100000) {
    Chunk c{pos, u32_at(b, pos), u32_at(b, pos + 4)};
    out.push_back(c);
    pos += 8 + static_cast<size_t>(c.len);
  }
  return out;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  uint64_t boundary(size_t size) {
    static const uint64_t values[] = {0, 1, 2, 3, 7, 8, 16, 47, 48, 49, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
                                      0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffff, 0x8000000000000000,
                                      0xffffffffffffffff};
    const uint64_t pick = below(std::size(values) + 3);
    if (pick < std::size(values)) return values[pick];
    if (pick == std::size(values)) return size;
    if (pick == std::size(values) + 1) return size > 0 ? size - 1 - below(std::min<size_t>(size, 64)) : 0;
    return rng_();
  }

  // mutate() applies one random edit to `b` (`other` is another input, for splicing); with
  // `fields_only`, it only rewrites fields of event records, which keeps most files valid.
  void mutate(std::string& b, const std::string& other, bool fields_only) {
    switch (fields_only ? 9 : below(10)) {
      case 0:  // flip a bit
        if (!b.empty()) b[below(b.size())] ^= static_cast<char>(1u << below(8));
        break;
      case 1:  // a byte to a boundary value
        if (!b.empty()) b[below(b.size())] = static_cast<char>(boundary(b.size()));
        break;
      case 2: {  // a word of 2, 4 or 8 bytes to a boundary value
        const int bytes = 2 << below(3);
        if (b.size() >= static_cast<size_t>(bytes)) put_le(b, below(b.size() - bytes + 1), boundary(b.size()), bytes);
        break;
      }
      case 3:  // truncate
        b.resize(below(b.size() + 1));
        break;
      case 4: {  // delete a range
        if (b.empty()) break;
        const size_t at = below(b.size());
        b.erase(at, 1 + below(std::min<size_t>(b.size() - at, 256)));
        break;
      }
      case 5: {  // insert a range of another input (or of this one)
        const std::string& from = below(2) ? other : b;
        if (from.empty()) break;
        const size_t at = below(from.size());
        const std::string piece = from.substr(at, 1 + below(std::min<size_t>(from.size() - at, 512)));
        b.insert(below(b.size() + 1), piece);
        break;
      }
      case 6:
      case 7: {  // a chunk's type or length
        const std::vector<Chunk> chunks = chunks_of(b);
        if (chunks.empty()) {
          if (b.size() >= 16) put_le(b, 12, boundary(b.size()), 4);  // the header's length
          break;
        }
        const Chunk& c = chunks[below(chunks.size())];
        if (below(3) == 0) {
          put_le(b, c.at, below(5), 4);
        } else {
          const uint64_t lens[] = {0, c.len + 1ull, c.len - 1ull, c.len * 2ull, c.len / 2, boundary(b.size()),
                                   b.size() - c.at - 8, c.len + 48ull, c.len - 48ull};
          put_le(b, c.at + 4, lens[below(std::size(lens))], 4);
        }
        break;
      }
      default: {  // a field of an event record: 8-byte words and the 2-byte p, m and kind
        std::vector<Chunk> events;
        for (const Chunk& c : chunks_of(b))
          if (c.type == 2 && c.len >= 4 + 48) events.push_back(c);
        if (events.empty()) {
          if (!b.empty()) b[below(b.size())] = static_cast<char>(rng_());
          break;
        }
        const Chunk& c = events[below(events.size())];
        const size_t records = (c.len - 4) / 48;
        const size_t record = c.at + 8 + 4 + 48 * below(records);
        const size_t field = below(8);
        if (field == 0)  // ts: mostly a valid one (the reader rejects negative ones)
          put_le(b, record, below(4) == 0 ? boundary(b.size()) : below(1u << 30), 8);
        else if (field < 5)  // g, a0, a1, a2
          put_le(b, record + 8 * field, below(2) ? boundary(b.size()) : below(64), 8);
        else if (field < 7)  // p, m
          put_le(b, record + 40 + 2 * (field - 5), below(2) ? boundary(b.size()) : below(8) - 1, 2);
        else  // kind
          put_le(b, record + 44, below(64), 1);
        break;
      }
    }
  }

 private:
  std::mt19937_64 rng_;
};

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int run_one(const std::string& input) {
  g_current = &input;
  const int r = LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  g_current = nullptr;
  return r;
}

bool flag(const std::string& arg, const char* name, std::string& value) {
  const std::string prefix = std::string("-") + name + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  value = arg.substr(prefix.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long long runs = -1;
  double max_seconds = 0;
  uint64_t seed = 1;
  std::string artifact_prefix;
  std::vector<std::string> pool;
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string v;
    try {
      if (flag(arg, "runs", v)) {
        runs = std::stoll(v);
      } else if (flag(arg, "max_total_time", v)) {
        max_seconds = std::stod(v);
      } else if (flag(arg, "seed", v)) {
        seed = std::stoull(v);
      } else if (flag(arg, "artifact_prefix", v)) {
        artifact_prefix = v;
      } else if (!arg.empty() && arg[0] == '-') {
        std::fprintf(stderr, "gortrace_fuzz: ignoring %s\n", arg.c_str());
      } else if (std::filesystem::is_directory(arg)) {
        for (const auto& entry : std::filesystem::directory_iterator(arg))
          if (entry.is_regular_file()) {
            pool.push_back(read_file(entry.path()));
            names.push_back(entry.path().string());
          }
      } else if (std::filesystem::is_regular_file(arg)) {
        pool.push_back(read_file(arg));
        names.push_back(arg);
      } else {
        std::fprintf(stderr, "gortrace_fuzz: no such file or directory: %s\n", arg.c_str());
        return 64;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "gortrace_fuzz: bad argument: %s\n", arg.c_str());
      return 64;
    }
  }
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, on_signal);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(save_current);

  for (size_t i = 0; i < pool.size(); ++i) {
    std::snprintf(g_crash_path, sizeof g_crash_path, "%scrash-seed-%zu", artifact_prefix.c_str(), i);
    run_one(pool[i]);
  }
  std::printf("gortrace_fuzz: %zu inputs ran\n", pool.size());
  if (runs < 0 && max_seconds <= 0) return 0;
  if (pool.empty()) pool.emplace_back();
  const size_t seeds = pool.size();

  Mutator m(seed);
  const auto start = std::chrono::steady_clock::now();
  long long done = 0;
  for (; runs < 0 || done < runs; ++done) {
    if (max_seconds > 0 && (done & 63) == 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= max_seconds)
      break;
    std::string input = pool[m.below(pool.size())];
    const std::string& other = pool[m.below(pool.size())];
    const bool fields_only = m.below(2) == 0;  // half the mutants: valid files with odd events
    const uint64_t edits = 1 + m.below(fields_only ? 8 : 4);
    for (uint64_t k = 0; k < edits; ++k) m.mutate(input, other, fields_only);
    std::snprintf(g_crash_path, sizeof g_crash_path, "%scrash-%lld", artifact_prefix.c_str(), done);
    const size_t accepted_before = &gortrace_fuzz_accepted != nullptr ? gortrace_fuzz_accepted : 0;
    run_one(input);
    // Edits pile up: keep some mutants the reader accepted as starting points (without the
    // target's count, some that still start with the magic).
    const bool keep = &gortrace_fuzz_accepted != nullptr
                          ? gortrace_fuzz_accepted > accepted_before && m.below(4) == 0
                          : input.size() >= 16 && std::memcmp(input.data(), "GORTRACE", 8) == 0 && m.below(16) == 0;
    if (keep) {
      if (pool.size() < seeds + 512)
        pool.push_back(std::move(input));
      else
        pool[seeds + m.below(512)] = std::move(input);
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("gortrace_fuzz: %lld mutated inputs in %.1f s, seed %llu, no crash", done, secs,
              static_cast<unsigned long long>(seed));
  if (&gortrace_fuzz_accepted != nullptr)
    std::printf(" (%zu inputs in all accepted by the reader)", gortrace_fuzz_accepted);
  std::printf("\n");
  return 0;
}
