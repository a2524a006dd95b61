//===- alexnet-translate.cpp - Run the emitters on .mlir files ------------===//

#include "alexnet/Tools/TranslateRegistration.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  alexnet::registerTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "alexnet translation driver\n"));
}
