//===- NNAttrs.cpp - nn dialect attributes --------------------------------===//

#include "alexnet/Dialect/NN/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace alexnet::nn;

#define GET_ATTRDEF_CLASSES
#include "alexnet/Dialect/NN/NNAttrs.cpp.inc"

void NNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "alexnet/Dialect/NN/NNAttrs.cpp.inc"
      >();
}

static bool isConstantInit(StringRef kind) { return kind == "constant"; }

/// #nn.init<normal(0.0, 0.01)>, #nn.init<uniform(-1.0, 1.0)>,
/// #nn.init<constant(1.0)>
Attribute InitAttr::parse(AsmParser &parser, Type) {
  std::string kind;
  double a = 0.0, b = 0.0;
  if (parser.parseLess() || parser.parseKeywordOrString(&kind) ||
      parser.parseLParen() || parser.parseFloat(a))
    return {};
  if (!isConstantInit(kind) && (parser.parseComma() || parser.parseFloat(b)))
    return {};
  if (parser.parseRParen() || parser.parseGreater())
    return {};
  return parser.getChecked<InitAttr>(parser.getContext(), kind,
                                     llvm::APFloat(a), llvm::APFloat(b));
}

void InitAttr::print(AsmPrinter &printer) const {
  printer << '<' << getKind() << '(';
  printer.printFloat(getA());
  if (!isConstantInit(getKind())) {
    printer << ", ";
    printer.printFloat(getB());
  }
  printer << ")>";
}

LogicalResult InitAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               StringRef kind, llvm::APFloat first,
                               llvm::APFloat second) {
  double a = first.convertToDouble(), b = second.convertToDouble();
  if (kind != "normal" && kind != "uniform" && !isConstantInit(kind))
    return emitError() << "expected normal, uniform or constant, got '"
                       << kind << "'";
  if (!std::isfinite(a) || !std::isfinite(b))
    return emitError() << "expected finite initialiser arguments, got " << a
                       << " and " << b;
  if (kind == "normal" && b < 0)
    return emitError() << "expected a non-negative standard deviation, got "
                       << b;
  if (kind == "uniform" && b < a)
    return emitError() << "expected low <= high, got " << a << " and " << b;
  return success();
}
