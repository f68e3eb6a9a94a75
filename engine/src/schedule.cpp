// schedule.cpp — encoding and decoding a deterministic run's decisions (gor/schedule.hpp).
#include "gor/schedule.hpp"

namespace gor {

namespace {
void put_varint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

bool get_varint(const std::vector<uint8_t>& in, size_t& at, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (at >= in.size()) return false;
    uint8_t b = in[at++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}
}  // namespace

void Schedule::append(Decision d) {
  if (d.candidates >= 2 && d.candidates <= 15 && d.chosen < d.candidates) {
    bytes.push_back(static_cast<uint8_t>(d.candidates << 4 | d.chosen));
    return;
  }
  bytes.push_back(0);
  put_varint(bytes, d.candidates);
  put_varint(bytes, d.chosen);
}

std::optional<Decision> ScheduleReader::next() {
  if (at_ >= s_.bytes.size() || !error_.empty()) return std::nullopt;
  uint8_t b = s_.bytes[at_];
  Decision d;
  if (b >= 0x20) {
    ++at_;
    d.candidates = b >> 4;
    d.chosen = b & 15u;
  } else if (b == 0) {
    ++at_;
    uint64_t n = 0, c = 0;
    if (!get_varint(s_.bytes, at_, n) || !get_varint(s_.bytes, at_, c) || n > 0xffffffffull) {
      error_ = "schedule: truncated decision " + std::to_string(index_ + 1);
      return std::nullopt;
    }
    d.candidates = static_cast<uint32_t>(n);
    d.chosen = static_cast<uint32_t>(c);
  } else {
    error_ = "schedule: malformed byte at decision " + std::to_string(index_ + 1);
    return std::nullopt;
  }
  if (d.candidates < 2 || d.chosen >= d.candidates) {
    error_ = "schedule: decision " + std::to_string(index_ + 1) + " chooses " + std::to_string(d.chosen) +
             " of " + std::to_string(d.candidates);
    return std::nullopt;
  }
  ++index_;
  return d;
}

std::optional<std::vector<Decision>> Schedule::decode(std::string* error) const {
  std::vector<Decision> out;
  ScheduleReader r(*this);
  while (auto d = r.next()) out.push_back(*d);
  if (!r.error().empty()) {
    if (error != nullptr) *error = r.error();
    return std::nullopt;
  }
  return out;
}

size_t Schedule::size() const {
  ScheduleReader r(*this);
  while (r.next()) {
  }
  return r.index();
}

}  // namespace gor
