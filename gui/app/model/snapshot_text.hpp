// snapshot_text.hpp — names and phrases for what a gor::Snapshot holds, shared by the table
// and the inspector so both call an object the same way ("chan jobs", "mutex mu").
#pragma once

#include <QString>

#include <cstdint>

#include <gor/control.hpp>

namespace goroscope::gui {

// object_name() is the synchronisation object `id` of `s` as "chan jobs", "mutex mu",
// "RWMutex rw", "WaitGroup wg", "chan #12" (unnamed), or "object #12" when the snapshot has
// no live object with that id; "" for id 0.
QString object_name(const gor::Snapshot& s, uint64_t id);

// object_details() is one line about object `id`'s current state ("buffer 2/4, 3 receivers
// waiting", "held by G7, 2 waiting, starving"), or "" when `s` has no such object.
QString object_details(const gor::Snapshot& s, uint64_t id);

// short_site() is an engine site made readable. A site in Go's words, as the engine writes
// them ("samples/deadlock.cpp:30 in main.deadlock_main"), is returned unchanged; an older
// trace's "/abs/path/file.cpp:42 in ns::f(args)::<lambda()>" becomes "file.cpp:42 in
// f()::lambda" (file name without directories; function without return type, argument
// lists, template arguments and namespaces). "" stays "".
QString short_site(const std::string& site);

// short_type() is a demangled type without namespace qualifiers
// ("goroscope::samples::(anonymous namespace)::Result" -> "Result", "std::string" -> "string").
QString short_type(const std::string& type);

// find_goroutine() is goroutine `g` in `s` (binary search, `s.goroutines` is by id), or nullptr.
const gor::GoroutineInfo* find_goroutine(const gor::Snapshot& s, uint64_t g);

}  // namespace goroscope::gui
