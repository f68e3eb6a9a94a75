// event_text.hpp — one engine event as a short sentence for people ("blocked: chan receive").
#pragma once

#include <QString>

#include <gor/trace.hpp>

namespace goroscope::gui {

class TraceStore;

// describe_event() is `e` as a short phrase from the point of view of `viewer` (the
// goroutine whose history is shown; 0: neutral), using `store` for strings.
QString describe_event(const gor::Event& e, const TraceStore& store, uint64_t viewer = 0);

// format_engine_time() is an engine timestamp as "12.345 ms" (or s / us as fits).
QString format_engine_time(int64_t ns);

// format_duration() is a duration as "1.4 ms", "850 us", "2.1 s".
QString format_duration(int64_t ns);

}  // namespace goroscope::gui
