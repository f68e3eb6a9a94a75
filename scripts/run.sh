#!/usr/bin/env bash
# run.sh — install what is missing, build (Release), then open the GUI on the default sample.
# Without the GUI or without a display it runs the default sample headless with goroscope-cli.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
install_packages
configure_and_build release

GUI="$ROOT/build/release/gui/goroscope"
CLI="$ROOT/build/release/gui/goroscope-cli"
if [ -x "$GUI" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$GUI" "$@"
fi
if [ -x "$CLI" ]; then
  echo "goroscope: no display (or no Qt GUI built): running the default sample headless"
  exec "$CLI" run "${GOROSCOPE_SAMPLE:-worker-pool}" "$@"
fi
echo "goroscope: the GUI and CLI are not built yet; running the engine's self-test instead" >&2
exec "$ROOT/build/release/tests/engine_tests" --gtest_brief=1 --gtest_filter='Procs/SchedulerTest.*'
