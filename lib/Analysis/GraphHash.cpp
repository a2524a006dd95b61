//===- GraphHash.cpp - A batch-independent identity for a model -----------===//

#include "alexnet/Analysis/GraphHash.h"
#include "alexnet/Dialect/NN/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

class Fnv1a {
public:
  void add(llvm::StringRef text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 0x100000001b3ULL;
    }
    hash ^= 0xff; // separator, so ("ab","c") != ("a","bc")
    hash *= 0x100000001b3ULL;
  }
  uint64_t value() const { return hash; }

private:
  uint64_t hash = 0xcbf29ce484222325ULL;
};

/// Dimensions after the first (the batch) of a tensor value.
std::string trailingDims(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return "?";
  std::string s;
  for (int64_t d : tensor.getShape().drop_front())
    s += std::to_string(d) + "x";
  return s;
}

} // namespace

std::string alexnet::computeGraphHash(ModuleOp module) {
  if (auto recorded = module->getAttrOfType<StringAttr>(
          nn::NNDialect::kGraphHashAttrName))
    return recorded.str();
  Fnv1a hash;
  if (auto name = module->getAttrOfType<StringAttr>(nn::NNDialect::kModelAttrName))
    hash.add(name.getValue());
  for (auto param : module.getOps<nn::ParameterOp>()) {
    if (param.getOptimizerState()) // training state, not the architecture
      continue;
    std::string text;
    llvm::raw_string_ostream os(text);
    os << param.getSymName() << ':' << param.getType();
    hash.add(os.str());
  }
  if (auto inference = module.lookupSymbol<func::FuncOp>("inference")) {
    // The body only: the function's own type holds the batch size.
    inference.getBody().walk([&](Operation *op) {
      std::string text;
      llvm::raw_string_ostream os(text);
      os << op->getName() << ' ' << op->getAttrDictionary();
      for (Value operand : op->getOperands())
        os << ' ' << trailingDims(operand.getType());
      hash.add(os.str());
    });
  }
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::format_hex_no_prefix(hash.value(), 16);
  return os.str();
}
