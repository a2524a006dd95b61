//===- ExecDialect.cpp - The exec dialect ---------------------------------===//

#include "alexnet/Dialect/Exec/ExecDialect.h"
#include "alexnet/Dialect/Exec/ExecOps.h"

using namespace mlir;
using namespace alexnet::exec;

#include "alexnet/Dialect/Exec/ExecOpsDialect.cpp.inc"

void ExecDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "alexnet/Dialect/Exec/ExecOps.cpp.inc"
      >();
  registerAttributes();
}

LogicalResult ExecDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kDeviceAttrName) {
    auto device = dyn_cast<IntegerAttr>(attr.getValue());
    if (!device || device.getInt() < 0)
      return op->emitError("expected a non-negative integer for '")
             << name << "', got " << attr.getValue();
    return success();
  }
  if (name == kArenaBytesAttrName || name == kNaiveBytesAttrName ||
      name == kTransferBytesAttrName) {
    if (!isa<DenseI64ArrayAttr>(attr.getValue()))
      return op->emitError("expected an array<i64> for '") << name << "'";
    return success();
  }
  if (name == kGraphHashAttrName) {
    if (!isa<ModuleOp>(op) || !isa<StringAttr>(attr.getValue()))
      return op->emitError("expected '") << name << "' to be a string on a module";
    return success();
  }
  if (name == kLayersAttrName) {
    auto layers = dyn_cast<ArrayAttr>(attr.getValue());
    if (!isa<ModuleOp>(op) || !layers ||
        !llvm::all_of(layers, [](Attribute a) { return isa<LayerAttr>(a); }))
      return op->emitError("expected '")
             << name << "' to be an array of #exec.layer on a module";
    return success();
  }
  return success(); // the other exec attributes are checked where used
}
