//===- ExecAttrs.cpp - exec dialect attributes ----------------------------===//

#include "alexnet/Dialect/Exec/ExecDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace alexnet::exec;

#define GET_ATTRDEF_CLASSES
#include "alexnet/Dialect/Exec/ExecAttrs.cpp.inc"

void ExecDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "alexnet/Dialect/Exec/ExecAttrs.cpp.inc"
      >();
}

LogicalResult LayerAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                StringRef name, StringRef op,
                                DenseI64ArrayAttr shape, int64_t params,
                                int64_t flops, int64_t traffic,
                                int64_t fusedTraffic, StringRef fusion,
                                int64_t device) {
  if (name.empty() || op.empty())
    return emitError() << "a layer needs a name and an op";
  if (!shape || llvm::any_of(shape.asArrayRef(), [](int64_t d) { return d < 0; }))
    return emitError() << "layer '" << name << "': expected a static shape";
  if (params < 0 || flops < 0 || traffic < 0 || fusedTraffic < 0)
    return emitError() << "layer '" << name
                       << "': expected non-negative counts";
  if (device < -1)
    return emitError() << "layer '" << name
                       << "': expected a device >= 0 (or -1: not partitioned)";
  return success();
}
