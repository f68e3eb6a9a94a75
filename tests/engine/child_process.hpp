// child_process.hpp — run a test body in a forked child with a time limit, so that a test
// of something that used to hang fails instead of hanging the suite.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>

// GORTEST_SKIP_IF_FORK_UNSUPPORTED skips a forking test under TSan, which dies when a
// multi-threaded process forks and the child starts threads (earlier tests of the suite may
// leave threads behind: a run abandons an M blocked in a long syscall, end.cpp).
#if defined(GOR_TSAN)
#define GORTEST_SKIP_IF_FORK_UNSUPPORTED() GTEST_SKIP() << "TSan does not support threads after a multi-threaded fork"
#else
#define GORTEST_SKIP_IF_FORK_UNSUPPORTED() (void)0
#endif

namespace gortest {

// ChildResult is what in_child_within() saw: the child's output, and whether it ended by
// itself (exit status) or was killed at the deadline.
struct ChildResult {
  std::string out;
  bool timed_out = false;
  int exit_status = -1;  // the child's exit status, -1 when killed or crashed
};

// in_child_within() runs fn in a forked child, which writes fn's string to a pipe and exits
// with 0 (_exit: no atexit handlers run, so a thread the child abandoned cannot hold it).
// After `limit` the child is killed and timed_out is set.
inline ChildResult in_child_within(std::chrono::milliseconds limit, const std::function<std::string()>& fn) {
  ChildResult res;
  int fds[2];
  if (pipe(fds) != 0) {
    res.out = "pipe failed";
    return res;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string out = fn();
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buf[4096];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      res.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    res.out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!res.timed_out && WIFEXITED(status)) res.exit_status = WEXITSTATUS(status);
  return res;
}

}  // namespace gortest
