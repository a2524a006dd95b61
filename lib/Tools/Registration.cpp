//===- Registration.cpp - Dialects and passes the tools use ---------------===//

#include "alexnet/Tools/Registration.h"
#include "alexnet/Conversion/Passes.h"
#include "alexnet/Dialect/Exec/ExecDialect.h"
#include "alexnet/Dialect/Exec/Transforms/Passes.h"
#include "alexnet/Dialect/NN/NNDialect.h"
#include "alexnet/Dialect/NN/Transforms/Passes.h"
#include "alexnet/Pipeline/Pipeline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void alexnet::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<nn::NNDialect, exec::ExecDialect, mlir::func::FuncDialect>();
}

void alexnet::registerPasses() {
  mlir::registerTransformsPasses();
  registerAlexnetConversionPasses();
  exec::registerAlexnetExecPasses();
  nn::registerAlexnetNNPasses();
  registerPipelines();
}
