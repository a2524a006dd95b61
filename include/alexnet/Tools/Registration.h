//===- Registration.h - Dialects and passes the tools use -------*- C++ -*-===//
//
// One place that lists what alexnet-opt and alexnet-compile register, so the
// two tools always accept the same IR and the same pass flags.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_TOOLS_REGISTRATION_H
#define ALEXNET_TOOLS_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace alexnet {

/// nn plus the upstream dialects the pipeline produces (func).
void registerDialects(mlir::DialectRegistry &registry);

/// The project's passes and the generic upstream ones worth running on its IR
/// (canonicalize, cse, symbol-dce, ...).
void registerPasses();

} // namespace alexnet

#endif // ALEXNET_TOOLS_REGISTRATION_H
