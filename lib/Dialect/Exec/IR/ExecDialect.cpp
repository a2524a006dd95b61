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
}
