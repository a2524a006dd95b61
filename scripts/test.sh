#!/usr/bin/env bash
#===- scripts/test.sh - Set up, build and run the whole test suite --------===#
#
# The README's test command. Installs what is missing, builds, then runs
# every lit test (dialects, passes, front end, emitted C++, the PyTorch
# oracles, GoogleTest unit tests, and a FUZZ_SECONDS-long parser fuzz run,
# default 60) and ends with one line:
#   tests: N passed, N failed, N skipped
# Exit status 0 only when nothing failed.
#===----------------------------------------------------------------------===#
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR

"$ROOT/scripts/setup.sh" || { echo "tests: 0 passed, 1 failed (setup/build)"; exit 1; }

results="$BUILD_DIR/test-results.xml"
rm -f "$results"
python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv \
  --xunit-xml-output="$results" "$BUILD_DIR/test" "$BUILD_DIR/test/Unit"
lit_status=$?

python3 - "$results" "$lit_status" <<'PY'
import sys, xml.etree.ElementTree as ET
path, status = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0
try:
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
except (OSError, ET.ParseError) as e:
    print(f"cannot read lit results: {e}")
if status != 0 and failed == 0:
    failed = 1  # lit failed without a test to blame (e.g. a config error)
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
