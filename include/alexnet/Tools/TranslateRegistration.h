//===- TranslateRegistration.h - alexnet-translate's translations -*- C++ -*-===//
//
// The emitters as mlir-translate translations, so each can be run (and
// tested) on a module by itself: --exec-to-cpp and --exec-to-cuda on a
// planned exec module (alexnet-compile --emit=lowered, or alexnet-opt
// --alexnet-lowering), --nn-to-dot on an nn module.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_TOOLS_TRANSLATEREGISTRATION_H
#define ALEXNET_TOOLS_TRANSLATEREGISTRATION_H

namespace alexnet {

void registerTranslations();

} // namespace alexnet

#endif // ALEXNET_TOOLS_TRANSLATEREGISTRATION_H
