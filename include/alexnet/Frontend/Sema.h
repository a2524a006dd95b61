//===- Sema.h - Semantic analysis of the model DSL --------------*- C++ -*-===//
//
// Checks a parsed file and builds the Graph: resolves names (undefined, used
// before definition, redefined), checks every op's inputs and arguments
// (unknown, missing, duplicate, wrong type, out of range), computes every
// shape through ShapeRules.h and quotes its messages, and validates the
// train block.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_FRONTEND_SEMA_H
#define ALEXNET_FRONTEND_SEMA_H

#include "alexnet/Frontend/AST.h"
#include "alexnet/Frontend/Diagnostics.h"
#include "alexnet/Frontend/Graph.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace alexnet::frontend {

struct SemaOptions {
  /// Replaces the model's `batch = N` (the compiler's --batch flag).
  std::optional<int64_t> batchOverride;
  /// Demand a `loss` statement even without a train block.
  bool requireLoss = false;
};

/// Checks `file` and returns its graph, or nullopt when any error (including
/// earlier syntax errors already counted by `diags`) was reported. Checks
/// that something is missing (no model, no output, no loss) are skipped when
/// syntax errors occurred, since the parser may have dropped it.
std::optional<Graph> analyze(const File &file, std::string_view fileName,
                             const SemaOptions &options,
                             DiagnosticEngine &diags);

/// The names of every op the DSL knows, in documentation order.
std::vector<std::string> opNames();

} // namespace alexnet::frontend

#endif // ALEXNET_FRONTEND_SEMA_H
