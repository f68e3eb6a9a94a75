#!/usr/bin/env bash
# test.sh — install what is missing, build (Release), run the whole ctest suite headless.
# Then the engine's tests again under ThreadSanitizer and AddressSanitizer+UBSan
# (skip those with GOR_SANITIZERS=0). Exits non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
install_packages
export QT_QPA_PLATFORM=offscreen

configure_and_build release
(cd "$ROOT/build/release" && ctest --output-on-failure -j "$JOBS" --timeout 300)

if [ "${GOR_SANITIZERS:-1}" != "0" ]; then
  for preset in tsan asan; do
    echo "goroscope: engine tests under $preset"
    configure_and_build "$preset" engine_tests
    (cd "$ROOT/build/$preset" &&
       TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
       ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=0" \
       UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
       ctest -L engine --output-on-failure -j "$JOBS" --timeout 600)
  done
fi
echo "goroscope: all tests passed"
