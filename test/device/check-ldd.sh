#!/usr/bin/env bash
#===- test/device/check-ldd.sh - What a bundled executable may link -------===#
#
#   check-ldd.sh EXE...
#
# The GPU machine has the C/C++ runtime, the CUDA toolkit and no Debian
# packages, so an executable that travels there may need only: libc, libm,
# libstdc++, libgcc_s, libpthread, libdl, librt, the loader (and the vDSO),
# libcudart and libcublas/libcublasLt. Prints one line per executable,
# "ok: EXE" or "EXE: needs LIB (...)" for each library outside that list
# (or one ldd cannot find), and exits 1 when any executable needs one.
#===----------------------------------------------------------------------===#
set -uo pipefail

allowed='^(linux-vdso\.so|ld-linux[-a-z0-9_]*\.so|libc\.so|libm\.so|libstdc\+\+\.so|libgcc_s\.so|libpthread\.so|libdl\.so|librt\.so|libcudart\.so|libcublas\.so|libcublasLt\.so)'
bad=0
for exe in "$@"; do
  if ! out=$(ldd "$exe" 2>&1); then
    echo "$exe: ldd failed: $out"
    bad=1
    continue
  fi
  worst=""
  while read -r lib rest; do
    [ -n "$lib" ] || continue
    # "EXE: /lib/libstdc++.so.6: version `GLIBCXX_3.4.30' not found (...)":
    # the machine's C/C++ runtime is older than the one built with here.
    if [[ "$rest" == *"version "*" not found"* ]]; then
      worst="$worst ${rest%% (required*}"
      continue
    fi
    name=${lib##*/}
    if ! [[ "$name" =~ $allowed ]] || [[ "$rest" == *"not found"* ]]; then
      if [[ "$rest" == *"not found"* ]]; then name="$name (not found)"; fi
      worst="$worst $name"
    fi
  done <<<"$out"
  if [ -n "$worst" ]; then
    echo "$exe: needs$worst (outside the C/C++ runtime, cudart and cuBLAS)"
    bad=1
  else
    echo "ok: $exe"
  fi
done
exit "$bad"
