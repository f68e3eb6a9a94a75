#include "model/trace_loader.hpp"

#include <QMetaObject>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace goroscope::gui {

namespace {

// read_mapped() parses the file through a read-only mapping (no copy of its bytes; the
// mapping is gone before the timeline is built, so the two never add up). Throws GortraceError.
trace::TraceFile read_mapped(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw trace::GortraceError("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw trace::GortraceError("cannot read '" + path + "': not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return trace::parse_gortrace(std::string_view());  // throws: not a .gortrace file
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return trace::read_gortrace_file(path);  // e.g. a pipe: read it normally
  ::madvise(map, size, MADV_SEQUENTIAL);
  try {
    trace::TraceFile t = trace::parse_gortrace(std::string_view(static_cast<const char*>(map), size));
    ::munmap(map, size);
    return t;
  } catch (const trace::GortraceError& e) {
    ::munmap(map, size);
    throw trace::GortraceError(path + ": " + (e.what() + std::strlen("gortrace: ")));
  }
}

}  // namespace

TraceLoader::~TraceLoader() {
  ++ticket_;  // nothing is delivered any more
  if (worker_.joinable()) worker_.join();
}

void TraceLoader::load(const QString& path) {
  if (worker_.joinable()) worker_.join();  // the previous file is read to its end, then dropped
  const uint64_t ticket = ++ticket_;
  busy_ = true;
  worker_ = std::thread([this, ticket, path] {
    const auto start = std::chrono::steady_clock::now();
    auto result = std::make_shared<LoadedTrace>();
    result->path = path;
    QString error;
    try {
      result->file = read_mapped(path.toStdString());
      result->timeline.append(result->file.events.data(), result->file.events.size());
    } catch (const std::exception& e) {  // GortraceError, or bad_alloc on a huge file
      error = QString::fromStdString(e.what());
    }
    result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (ticket != ticket_) return;
    // Queued to the UI thread; dropped there if a newer load began or the loader is gone.
    QMetaObject::invokeMethod(this, [this, ticket, result, error, path] {
      if (ticket != ticket_) return;
      busy_ = false;
      if (error.isEmpty())
        emit loaded(result);
      else
        emit failed(path, error);
    }, Qt::QueuedConnection);
  });
}

}  // namespace goroscope::gui
