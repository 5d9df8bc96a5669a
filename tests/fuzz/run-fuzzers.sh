#!/usr/bin/env bash
# Builds the codec fuzz targets with clang (libFuzzer + AddressSanitizer)
# straight from the library sources and runs each one for a while on its
# seed corpus. Exits non-zero when a target crashes, leaks or times out;
# the input that did it is kept under BUILD_DIR/artifacts/.
#
#   tests/fuzz/run-fuzzers.sh [--seconds N] [--build-dir DIR] [TARGET...]
#   tests/fuzz/run-fuzzers.sh --check   # can clang build a fuzzer here?
#
# TARGET is json, fhir, hl7 or batch (the spool's batch codec; default: all). Needs the Debian
# packages clang and libclang-rt-14-dev (libFuzzer and the sanitizers).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds=20
build_dir=""
check_only=0
targets=()

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --check) check_only=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    json|fhir|hl7|batch) targets+=("$1"); shift ;;
    *) echo "run-fuzzers: unknown argument ‘$1’" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(json fhir hl7 batch)

clang="${CLANG:-}"
if [ -z "$clang" ]; then
  for candidate in clang clang-14; do
    if command -v "$candidate" >/dev/null 2>&1; then
      clang="$candidate"
      break
    fi
  done
fi
if [ -z "$clang" ]; then
  echo "run-fuzzers: clang not found (install the Debian packages clang and libclang-rt-14-dev)" >&2
  exit 1
fi

temp_dir="$(mktemp -d)"
trap 'rm -rf "$temp_dir"' EXIT

fuzz_flags=(-fsanitize=fuzzer,address)
if [ "$check_only" -eq 1 ]; then
  printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput (const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput (const uint8_t *d, size_t n) { return d != NULL && n > 1; }' \
    > "$temp_dir/check.c"
  exec "$clang" "${fuzz_flags[@]}" "$temp_dir/check.c" -o "$temp_dir/check" 2>/dev/null
fi

[ -n "$build_dir" ] || build_dir="$temp_dir/build"
mkdir -p "$build_dir/obj" "$build_dir/artifacts"
build_dir="$(cd "$build_dir" && pwd)"

# The codecs and what they need from core; nothing that talks to the network
# or the store.
sources=(
  src/core/tw-batch.c src/core/tw-batch-codec.c src/core/tw-clinical.c src/core/tw-error.c src/core/tw-limits.c
  src/core/tw-metric.c src/core/tw-time.c
  src/ingest/tw-codec.c src/ingest/tw-json-codec.c src/ingest/tw-json-flat.c src/ingest/tw-fhir-codec.c
  src/ingest/tw-fhir-clinical.c src/ingest/tw-clinical-ingest.c
  src/ingest/tw-hl7-codec.c src/ingest/tw-hl7-adt.c src/ingest/tw-hl7-message.c src/ingest/tw-hl7-ack.c
  src/ingest/tw-units.c
)
read -r -a pkg_cflags <<< "$(pkg-config --cflags glib-2.0 gio-2.0 json-glib-1.0)"
read -r -a pkg_libs <<< "$(pkg-config --libs glib-2.0 gio-2.0 json-glib-1.0)"
# The few build settings the codecs' helpers read (tw-limits.c looks for
# data/limits.json); meson writes the real config.h for the programs.
cat > "$build_dir/obj/config.h" <<CONFIG
#define PKGDATADIR "$root/data"
#define SOURCE_DATADIR "$root/data"
CONFIG
cflags=(-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wno-unused-parameter
        -I"$build_dir/obj" -I"$root/src/core" -I"$root/src/ingest" "${pkg_cflags[@]}")

objects=()
for src in "${sources[@]}"; do
  obj="$build_dir/obj/$(basename "${src%.c}").o"
  "$clang" "${cflags[@]}" -fsanitize=fuzzer-no-link,address -c "$root/$src" -o "$obj"
  objects+=("$obj")
done

# Inputs found during the run go to a scratch copy, never into the source tree.
export G_SLICE=always-malloc
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
failed=()
for target in "${targets[@]}"; do
  binary="$build_dir/fuzz-$target"
  "$clang" "${cflags[@]}" "${fuzz_flags[@]}" "$here/fuzz-$target.c" "${objects[@]}" \
    "${pkg_libs[@]}" -lm -o "$binary"

  dict_args=(-dict="$here/json.dict")
  [ "$target" = hl7 ] && dict_args=(-dict="$here/hl7.dict")
  [ "$target" = batch ] && dict_args=()  # binary: nothing to spell
  corpus="$build_dir/corpus-$target"
  mkdir -p "$corpus"

  echo "run-fuzzers: fuzz-$target for ${seconds} s"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 "${dict_args[@]}" -artifact_prefix="$build_dir/artifacts/$target-" \
       "$corpus" "$here/corpus/$target" > "$build_dir/fuzz-$target.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$build_dir/fuzz-$target.log" || true
  else
    failed+=("$target")
    tail -n 60 "$build_dir/fuzz-$target.log"
    echo "run-fuzzers: fuzz-$target FAILED; inputs in $build_dir/artifacts/" >&2
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzzers: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "run-fuzzers: ${targets[*]} ran ${seconds} s each without a crash"
