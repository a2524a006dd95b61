//===- ExecOps.h - exec dialect ops -----------------------------*- C++ -*-===//

#ifndef ALEXNET_DIALECT_EXEC_EXECOPS_H
#define ALEXNET_DIALECT_EXEC_EXECOPS_H

#include "alexnet/Dialect/Exec/ExecDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "alexnet/Dialect/Exec/ExecOps.h.inc"

#endif // ALEXNET_DIALECT_EXEC_EXECOPS_H
