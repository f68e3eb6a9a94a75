#include "run/run_player.hpp"

namespace goroscope::gui {

RunPlayer::RunPlayer(const TraceStore& store, QObject* parent) : QObject(parent), store_(store) {
  qRegisterMetaType<BreakHit>();
  timer_.setInterval(16);
  connect(&timer_, &QTimer::timeout, this, &RunPlayer::tick);
  clock_.start();
}

void RunPlayer::begin(int procs, bool paused, bool recording) {
  playback_.reset();
  index_ = ReplayIndex();
  procs_ = std::max(1, procs);
  generation_ = store_.generation();
  active_ = true;
  recording_ = recording;
  end_reported_ = false;
  pending_start_ = 0;
  published_ = 0;
  state_.reset();
  if (!paused) playback_.play(store_.events(), wall_ns());
  if (self_ticking_) timer_.start();
  publish();
  emit playingChanged(playback_.playing());
}

void RunPlayer::end_recording() {
  recording_ = false;
  if (pending_start_ > 0) {
    const size_t at = pending_start_;
    pending_start_ = 0;
    seek(at, /*pause=*/false);
  }
  if (active_) tick();
}

void RunPlayer::adopt_finished(int procs, bool show) {
  playback_.reset();
  index_ = ReplayIndex();
  procs_ = std::max(1, procs);
  generation_ = store_.generation();
  active_ = true;
  recording_ = false;
  state_.reset();
  playback_.seek(store_.size(), store_.events(), store_.size(), wall_ns());
  published_ = playback_.cursor();
  end_reported_ = true;  // it opens at its end: that is not an arrival
  if (self_ticking_) timer_.start();
  if (show) publish();
  emit playingChanged(false);
}

void RunPlayer::set_self_ticking(bool on) {
  self_ticking_ = on;
  if (!on) timer_.stop();
  else if (active_) timer_.start();
}

void RunPlayer::stop() {
  active_ = false;
  recording_ = false;
  timer_.stop();
  const bool was = playback_.playing();
  playback_.pause();
  state_.reset();
  if (was) emit playingChanged(false);
}

int64_t RunPlayer::cursor_ns() const {
  const size_t c = std::min(playback_.cursor(), store_.size());
  return c == 0 ? 0 : store_.events()[c - 1].ts;
}

void RunPlayer::set_pace(const Pace& p) { playback_.set_pace(p, store_.events(), wall_ns()); }

void RunPlayer::set_playing(bool was) {
  if (was != playback_.playing()) emit playingChanged(playback_.playing());
}

void RunPlayer::play() {
  if (!active_) return;
  const bool was = playback_.playing();
  // Play at the end of a finished run starts it again from the beginning.
  if (at_end()) {
    playback_.seek(0, store_.events(), store_.size(), wall_ns());
    end_reported_ = false;
  }
  playback_.play(store_.events(), wall_ns());
  set_playing(was);
  publish();
}

void RunPlayer::pause() {
  const bool was = playback_.playing();
  playback_.pause();
  set_playing(was);
}

void RunPlayer::toggle() { playback_.playing() ? pause() : play(); }

void RunPlayer::seek(size_t count, bool pause_it) {
  if (!active_) return;
  const bool was = playback_.playing();
  if (pause_it) playback_.pause();
  playback_.seek(count, store_.events(), store_.size(), wall_ns());
  if (playback_.cursor() < store_.size()) end_reported_ = false;
  set_playing(was);
  publish();
}

void RunPlayer::seek_time(int64_t t, bool pause_it) {
  if (!active_) return;
  const bool was = playback_.playing();
  if (pause_it) playback_.pause();
  playback_.seek_time(t, store_.events(), store_.size(), wall_ns());
  if (playback_.cursor() < store_.size()) end_reported_ = false;
  set_playing(was);
  publish();
}

template <class Move>
bool RunPlayer::move_cursor(Move move) {
  if (!active_) return false;
  const bool was = playback_.playing();
  const bool moved = move();
  if (moved && playback_.cursor() < store_.size()) end_reported_ = false;  // it may arrive again
  set_playing(was);
  if (moved) publish();
  return moved;
}

bool RunPlayer::step_forward(StepUnit unit) {
  return move_cursor([&] { return playback_.step_forward(store_.events(), store_.size(), unit); });
}

bool RunPlayer::step_back(StepUnit unit) {
  return move_cursor([&] { return playback_.step_back(store_.events(), unit); });
}

bool RunPlayer::jump_to_goroutine(uint64_t g, bool forward) {
  return move_cursor([&] { return playback_.jump_to_goroutine(g, forward, store_.events(), store_.size()); });
}

bool RunPlayer::jump_to_proc(int p, bool forward) {
  return move_cursor([&] { return playback_.jump_to_proc(p, forward, store_.events(), store_.size()); });
}

void RunPlayer::refresh() {
  if (active_) publish();
}

void RunPlayer::tick() {
  if (!active_) return;
  if (store_.generation() != generation_) {  // the store was cleared under us (a new run or file)
    stop();
    return;
  }
  if (pending_start_ > 0 && (store_.size() >= pending_start_ || !recording_)) {
    const size_t at = pending_start_;
    pending_start_ = 0;
    seek(at, /*pause=*/false);
  }
  const bool was = playback_.playing();
  const Playback::Tick t = playback_.advance(store_.events(), store_.size(), wall_ns(), breakpoints_);
  if (t.moved) publish();
  if (t.hit) emit breakpointHit(*t.hit);
  set_playing(was);
  if (!recording_ && playback_.cursor() >= store_.size() && !end_reported_) {
    end_reported_ = true;
    const bool playing_before = playback_.playing();
    playback_.pause();
    set_playing(playing_before);
    emit reachedEnd();
  }
}

void RunPlayer::publish() {
  const size_t c = std::min(playback_.cursor(), store_.size());
  state_ = std::make_shared<const gor::Snapshot>(index_.snapshot_after(store_, c, procs_));
  const size_t from = published_;
  published_ = c;
  emit moved(state_, from, c);
}

}  // namespace goroscope::gui
