// sample_kit.cpp — fixed() and rss_kib().
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope {

std::string fixed(double x, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << x;
  return out.str();
}

std::optional<int64_t> rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    int64_t kib = 0;
    if (fields >> kib) return kib;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace goroscope
