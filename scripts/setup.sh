#!/usr/bin/env bash
# Installs, idempotently, everything optc needs on a Debian 12 machine and
# configures build/:
#   - Debian packages (LLVM/MLIR 22, compilers, CMake/Ninja, GoogleTest,
#     protobuf) through apt-get;
#   - the virtual environment .venv with the pinned PyPI packages of
#     python/requirements.txt.
# When everything is present it only checks, in a few seconds.
#
# Environment: OPTC_BUILD_DIR (default build), OPTC_BUILD_TYPE (Release),
# OPTC_CXX (clang++-22; g++ also works), OPTC_PYTHON (python3).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build_dir=${OPTC_BUILD_DIR:-build}
build_type=${OPTC_BUILD_TYPE:-Release}
cxx=${OPTC_CXX:-clang++-22}
python=${OPTC_PYTHON:-python3}

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- Debian packages -------------------------------------------------------
packages=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libclang-rt-22-dev llvm-22 # libFuzzer, sanitizer runtimes, llvm-cov
  clang-format-22 cmake ninja-build ccache g++ libgtest-dev
  libprotobuf-dev protobuf-compiler python3-venv python3-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    die "missing Debian packages: ${missing[*]}; install them with: apt-get install ${missing[*]}"
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq ||
    die "apt-get update failed; install by hand: apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null ||
    die "apt-get could not install: ${missing[*]} (LLVM 22 comes from bookworm-security or apt.llvm.org)"
fi
for tool in /usr/lib/llvm-22/bin/lit /usr/lib/llvm-22/bin/FileCheck /usr/lib/llvm-22/bin/not; do
  [ -x "$tool" ] || die "$tool is missing; install llvm-22-tools"
done
[ -f /usr/lib/llvm-22/lib/libMLIR.so ] || die "libMLIR.so is missing; install libmlir-22-dev"

# --- Python virtual environment -------------------------------------------
command -v "$python" >/dev/null 2>&1 || die "$python not found; install python3"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  die "$python is older than 3.10"
# A .venv without a working pip (half created, or made by another Python)
# is made again.
if [ -d .venv ] && ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  say "recreating the broken .venv"
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$python" -m venv .venv || die "could not create .venv; install python3-venv"
fi
stamp=.venv/.optc-requirements
want=$(cat python/requirements.txt python/constraints.txt | sha256sum | cut -d' ' -f1)
modules="onnx, onnxruntime, numpy, ml_dtypes, pytest, nanobind"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] ||
  ! .venv/bin/python -c "import $modules" >/dev/null 2>&1; then
  say "installing pinned Python packages into .venv"
  rm -f "$stamp"
  .venv/bin/python -m pip install -q --disable-pip-version-check \
    -r python/requirements.txt -c python/constraints.txt ||
    die "pip could not install python/requirements.txt (is PyPI reachable?)"
  .venv/bin/python -c "import $modules" ||
    die "the Python packages do not import after installing them"
  echo "$want" > "$stamp"
fi

# --- Configure --------------------------------------------------------------
command -v "$cxx" >/dev/null 2>&1 || die "C++ compiler $cxx not found"
cc=${cxx/clang++/clang}
cc=${cc/g++/gcc}
# Configuring every time keeps the build in step with the settings above
# (compiler, build type, -Werror); with a warm cache it takes a second.
mkdir -p "$build_dir"
cmake -G Ninja -S . -B "$build_dir" \
  -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DOPTC_ENABLE_WERROR=ON >"$build_dir/configure.log" 2>&1 || {
  cat "$build_dir/configure.log" >&2
  die "CMake configuration failed; see the messages above"
}
# The optc Python package, as the build directory assembles it
# (<build>/python/optc), is importable from .venv once built.
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
build_abs=$(cd "$build_dir" && pwd)
echo "$build_abs/python" > "$site/optc-build.pth"
say "ready ($build_dir)"
