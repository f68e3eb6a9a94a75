// panic.hpp — Go's panics as C++ exceptions.
#pragma once

#include <exception>
#include <source_location>
#include <string>
#include <utility>

namespace gor {

// Panic is a recoverable Go panic. what() is Go's text exactly ("send on closed channel").
// Uncaught in a goroutine, it ends the run with RunStatus::Panic and this message, and the
// dump shows the panicking goroutine at where(): the line that panicked (for the engine's
// own panics, the user's call that raised it: the send, the close, ...).
class Panic : public std::exception {
 public:
  explicit Panic(std::string message, std::source_location where = std::source_location::current())
      : message_(std::move(message)), where_(where) {}
  const char* what() const noexcept override { return message_.c_str(); }
  // where() is the site of the panic.
  const std::source_location& where() const noexcept { return where_; }

 private:
  std::string message_;
  std::source_location where_;
};

// ForcedUnwind is thrown inside goroutines that are still alive when a run ends, so their
// stacks unwind and nothing leaks. It does not derive from std::exception: a `catch (...)`
// inside a goroutine must rethrow it (`catch (...) { ...; throw; }`).
struct ForcedUnwind {};

// Goexit is what goexit() throws: a ForcedUnwind, so the goroutine's destructors (Go's
// deferred calls) run and it ends without a panic. A `catch (...)` must rethrow it.
struct Goexit : ForcedUnwind {};

// goexit() is runtime.Goexit: it ends the calling goroutine after running its destructors.
// It is not a panic: nothing recovers it, and the run goes on. Outside a goroutine it throws
// std::logic_error.
[[noreturn]] void goexit();

// FatalError is Go's unrecoverable `fatal error` (for instance "sync: unlock of unlocked
// mutex"). Like ForcedUnwind it does not derive from std::exception, so it is not caught by
// `catch (const std::exception&)`. It cannot be recovered from even by `catch (...)`: the
// run's end (RunStatus::Panic, its message, RunResult::fatal) is recorded when it is raised,
// before the throw, so a goroutine that swallows it only runs on until its next engine call.
struct FatalError {
  std::string message;
};

namespace detail {
// fatal() is Go's throw(): it ends the run with `message` as a fatal error (recorded first,
// see FatalError), then throws FatalError to leave the goroutine's code.
[[noreturn]] void fatal(const char* message);
}  // namespace detail

}  // namespace gor
