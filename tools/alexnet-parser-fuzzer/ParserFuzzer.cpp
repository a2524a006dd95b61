//===- ParserFuzzer.cpp - libFuzzer entry point for the DSL front end -----===//
//
// Feeds arbitrary bytes through lexing, parsing, semantic analysis and
// diagnostic rendering. Built by scripts/fuzz-parser.sh with clang's
// -fsanitize=fuzzer,address,undefined; any crash, sanitizer report, hang
// or runaway allocation is a finding.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Frontend/Frontend.h"

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view source(reinterpret_cast<const char *>(data), size);
  // A stream without a buffer: every diagnostic is rendered, then dropped.
  std::ostream null(nullptr);
  // Alternate the options with the first byte so both paths get coverage.
  std::optional<int64_t> batch;
  if (size > 0 && (data[0] & 1))
    batch = 1 + data[0] % 8;
  bool requireLoss = size > 0 && (data[0] & 2);
  alexnet::frontend::parseModel("fuzz.nn", source, batch, null, requireLoss);
  return 0;
}
