//===- ExecDialect.h - The exec dialect -------------------------*- C++ -*-===//

#ifndef ALEXNET_DIALECT_EXEC_EXECDIALECT_H
#define ALEXNET_DIALECT_EXEC_EXECDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "alexnet/Dialect/Exec/ExecOpsDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "alexnet/Dialect/Exec/ExecAttrs.h.inc"

#endif // ALEXNET_DIALECT_EXEC_EXECDIALECT_H
