//===- Dot.cpp - The nn graph as Graphviz ---------------------------------===//

#include "alexnet/Target/Dot.h"
#include "alexnet/Dialect/NN/NNOps.h"
#include "alexnet/Dialect/NN/ShapeRules.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace {

std::string shapeOf(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return alexnet::shape::format(type.getShape().vec());
}

/// Graphviz wants quotes and backslashes escaped inside labels.
std::string escape(StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

} // namespace

LogicalResult alexnet::translateToDot(ModuleOp module, raw_ostream &os) {
  auto inference = module.lookupSymbol<func::FuncOp>("inference");
  if (!inference)
    return module.emitError("expected a func.func @inference to draw");
  StringRef model = "model";
  if (auto name = module->getAttrOfType<StringAttr>(nn::NNDialect::kModelAttrName))
    model = name.getValue();

  os << "digraph \"" << escape(model) << "\" {\n"
     << "  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"monospace\"];\n";
  llvm::DenseMap<Value, std::string> node;
  for (BlockArgument arg : inference.getArguments()) {
    std::string id = "in" + std::to_string(arg.getArgNumber());
    auto name = inference.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                       nn::NNDialect::kInputAttrName);
    os << "  " << id << " [shape=ellipse, label=\""
       << escape(name ? name.getValue() : "input") << "\\n" << shapeOf(arg)
       << "\"];\n";
    node[arg] = id;
  }
  int counter = 0;
  for (Operation &op : inference.getBody().front()) {
    if (isa<nn::ParamRefOp>(op))
      continue;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
        auto name = inference.getResultAttrOfType<StringAttr>(
            i, nn::NNDialect::kOutputAttrName);
        os << "  out" << i << " [shape=ellipse, label=\""
           << escape(name ? name.getValue() : "output") << "\"];\n"
           << "  " << node[value] << " -> out" << i << ";\n";
      }
      continue;
    }
    std::string id = "op" + std::to_string(counter++);
    int64_t params = 0;
    for (Value operand : op.getOperands())
      if (operand.getDefiningOp<nn::ParamRefOp>())
        params += cast<RankedTensorType>(operand.getType()).getNumElements();
    StringRef layer = nn::layerName(op.getLoc(), op.getName().stripDialect());
    os << "  " << id << " [label=\"" << escape(layer) << "\\n"
       << op.getName().stripDialect() << "  " << shapeOf(op.getResult(0));
    if (params)
      os << "\\n" << params << " parameters";
    os << "\"];\n";
    for (Value operand : op.getOperands())
      if (!operand.getDefiningOp<nn::ParamRefOp>())
        os << "  " << node[operand] << " -> " << id << ";\n";
    node[op.getResult(0)] = id;
  }
  os << "}\n";
  return success();
}
