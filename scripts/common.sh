# common.sh — shared by run.sh and test.sh: install missing Debian packages, configure, build.
# Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${JOBS:-$(nproc)}"

# The one list of system packages the project needs (Debian 12).
PACKAGES=(qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libboost-context-dev
          libgtest-dev libbenchmark-dev cmake ninja-build g++ xvfb xauth fonts-dejavu-core)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  echo "goroscope: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# configure_and_build PRESET [targets...]
configure_and_build() {
  local preset="$1"; shift
  local dir="$ROOT/build/$preset"
  if [ ! -f "$dir/build.ninja" ]; then
    cmake --preset "$preset" -S "$ROOT" >/dev/null
  fi
  cmake --build "$dir" -j "$JOBS" ${1:+--target "$@"}
}
