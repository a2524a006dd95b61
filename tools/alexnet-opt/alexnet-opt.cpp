//===- alexnet-opt.cpp - Run alexnet passes on .mlir files ----------------===//

#include "alexnet/Tools/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  alexnet::registerDialects(registry);
  alexnet::registerPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "alexnet optimizer driver\n", registry));
}
