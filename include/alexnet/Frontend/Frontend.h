//===- Frontend.h - Entry point of the model DSL front end ------*- C++ -*-===//
//
// Source text in, checked Graph out: lexing, parsing and semantic analysis
// with every error printed as `file:line:col: error: ...` plus the offending
// line and a caret. MLIR-free, so the parser fuzzer links it alone.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_FRONTEND_FRONTEND_H
#define ALEXNET_FRONTEND_FRONTEND_H

#include "alexnet/Frontend/Graph.h"
#include "alexnet/Frontend/Sema.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>

namespace alexnet::frontend {

/// Parses and checks `source` (named `fileName` in diagnostics). Returns the
/// graph, or nullopt after printing every error to `diagnostics`.
/// `batchOverride` replaces the model's `batch = N`; `requireLoss` demands a
/// `loss` statement even without a train block.
std::optional<Graph> parseModel(std::string_view fileName,
                                std::string_view source,
                                std::optional<int64_t> batchOverride,
                                std::ostream &diagnostics,
                                bool requireLoss = false);

struct FrontendResult {
  std::optional<Graph> graph;
  unsigned errorCount = 0;
};

/// As parseModel, with the error count; `diagnostics` may be null (errors
/// are then only counted), and `errorLimit` caps the errors reported before
/// the front end stops.
FrontendResult
runFrontend(std::string_view fileName, std::string_view source,
            const SemaOptions &options, std::ostream *diagnostics,
            unsigned errorLimit = DiagnosticEngine::kDefaultErrorLimit);

/// Reads `path` and runs parseModel on it; an unreadable file is reported
/// as `path: error: cannot read file`.
std::optional<Graph> parseModelFile(const std::string &path,
                                    std::optional<int64_t> batchOverride,
                                    std::ostream &diagnostics,
                                    bool requireLoss = false);

} // namespace alexnet::frontend

#endif // ALEXNET_FRONTEND_FRONTEND_H
