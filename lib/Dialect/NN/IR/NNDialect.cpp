//===- NNDialect.cpp - The nn dialect -------------------------------------===//

#include "alexnet/Dialect/NN/NNDialect.h"
#include "alexnet/Dialect/NN/NNOps.h"

#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace alexnet::nn;

#include "alexnet/Dialect/NN/NNOpsDialect.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "alexnet/Dialect/NN/NNOps.cpp.inc"
      >();
  registerAttributes();
}

/// The front end's module attributes: `nn.model` names the model, `nn.batch`
/// is the compile-time batch size, `nn.train` holds the train block.
LogicalResult NNDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kModelAttrName) {
    if (!isa<StringAttr>(attr.getValue()))
      return op->emitError("expected a string for '")
             << name << "', got " << attr.getValue();
    return success();
  }
  if (name == kBatchAttrName) {
    auto batch = dyn_cast<IntegerAttr>(attr.getValue());
    if (!batch || batch.getInt() < 1)
      return op->emitError("expected a positive integer for '")
             << name << "', got " << attr.getValue();
    return success();
  }
  if (name == kTrainAttrName) {
    if (!isa<DictionaryAttr>(attr.getValue()))
      return op->emitError("expected a dictionary for '")
             << name << "', got " << attr.getValue();
    return success();
  }
  if (name == kGraphHashAttrName) {
    if (!isa<StringAttr>(attr.getValue()) || !isa<ModuleOp>(op))
      return op->emitError("expected '")
             << name << "' to be a string on the module, got "
             << attr.getValue();
    return success();
  }
  if (name == kDevicesAttrName) {
    auto devices = dyn_cast<IntegerAttr>(attr.getValue());
    if (!devices || devices.getInt() < 1 || !isa<ModuleOp>(op))
      return op->emitError("expected a positive integer on the module for '")
             << name << "', got " << attr.getValue();
    return success();
  }
  if (name == kDeviceAttrName) {
    auto device = dyn_cast<IntegerAttr>(attr.getValue());
    if (!device || device.getInt() < 0)
      return op->emitError("expected a non-negative integer for '")
             << name << "', got " << attr.getValue();
    return success();
  }
  if (name == kInputAttrName || name == kOutputAttrName)
    return success(); // argument / result attributes, checked where used
  return op->emitError("unknown nn attribute '") << name << "'";
}
