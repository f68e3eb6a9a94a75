// goexit.cpp — gor::goexit(), Go's runtime.Goexit.
#include <stdexcept>

#include "gor/detail/park.hpp"
#include "gor/panic.hpp"

namespace gor {

void goexit() {
  if (detail::current_g() == nullptr) throw std::logic_error("gor::goexit: called outside a goroutine");
  throw Goexit{};
}

}  // namespace gor
