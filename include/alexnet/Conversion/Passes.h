//===- Passes.h - Conversion passes -----------------------------*- C++ -*-===//

#ifndef ALEXNET_CONVERSION_PASSES_H
#define ALEXNET_CONVERSION_PASSES_H

#include "alexnet/Dialect/Exec/ExecDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace alexnet {

#define GEN_PASS_DECL
#include "alexnet/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "alexnet/Conversion/Passes.h.inc"

} // namespace alexnet

#endif // ALEXNET_CONVERSION_PASSES_H
