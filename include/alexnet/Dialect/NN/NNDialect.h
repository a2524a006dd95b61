//===- NNDialect.h - The nn dialect -----------------------------*- C++ -*-===//

#ifndef ALEXNET_DIALECT_NN_NNDIALECT_H
#define ALEXNET_DIALECT_NN_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "alexnet/Dialect/NN/NNOpsDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "alexnet/Dialect/NN/NNAttrs.h.inc"

#endif // ALEXNET_DIALECT_NN_NNDIALECT_H
