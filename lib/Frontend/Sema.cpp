//===- Sema.cpp - Semantic analysis of the model DSL ----------------------===//
//
// See Sema.h. Every statement is checked even after earlier errors; a name
// whose statement failed is bound to a poisoned value, so later uses of it
// are silently skipped instead of producing a cascade of follow-on errors.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Frontend/Sema.h"

#include <map>

namespace alexnet::frontend {

namespace {

using shape::kMaxDim;

/// One named parameter of a call: an op attribute, the argument of an
/// initializer, or a setting of the train block's optimizer and schedule.
struct Param {
  const char *name;
  bool required = false;
};

constexpr unsigned kVariadic = ~0u;

struct OpInfo {
  const char *name;
  OpKind kind;
  unsigned minInputs;
  unsigned maxInputs;
  std::vector<Param> attrs;
};

const std::vector<OpInfo> &opTable() {
  static const std::vector<OpInfo> table = {
      {"conv2d",
       OpKind::Conv2D,
       1,
       1,
       {{"filters", true},
        {"kernel", true},
        {"stride"},
        {"pad"},
        {"groups"},
        {"init"},
        {"bias"}}},
      {"relu", OpKind::Relu, 1, 1, {}},
      {"lrn", OpKind::Lrn, 1, 1, {{"size"}, {"alpha"}, {"beta"}, {"k"}}},
      {"maxpool",
       OpKind::MaxPool,
       1,
       1,
       {{"window", true}, {"stride"}, {"pad"}}},
      {"avgpool",
       OpKind::AvgPool,
       1,
       1,
       {{"window", true}, {"stride"}, {"pad"}}},
      {"dense", OpKind::Dense, 1, 1, {{"units", true}, {"init"}, {"bias"}}},
      {"dropout", OpKind::Dropout, 1, 1, {{"rate"}}},
      {"flatten", OpKind::Flatten, 1, 1, {}},
      // ShapeRules::concat checks the input count itself.
      {"concat", OpKind::Concat, 0, kVariadic, {{"axis"}}},
      {"add", OpKind::Add, 2, 2, {}},
      {"softmax", OpKind::Softmax, 1, 1, {}},
      {"softmax_cross_entropy", OpKind::SoftmaxCrossEntropy, 2, 2, {}},
  };
  return table;
}

const OpInfo *findOp(std::string_view name) {
  for (const OpInfo &op : opTable())
    if (name == op.name)
      return &op;
  return nullptr;
}

std::vector<std::string> paramNames(const std::vector<Param> &params) {
  std::vector<std::string> names;
  for (const Param &p : params)
    names.push_back(p.name);
  return names;
}

/// How an expression is named in "got X": the literal's spelling, "name
/// 'x'", "a call to 'f'", "a list of 3 elements".
std::string describeExpr(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Integer:
  case Expr::Kind::Float: {
    std::string q = quote(e.text);
    return q.substr(1, q.size() - 2);
  }
  case Expr::Kind::Name:
    return "name " + quote(e.text);
  case Expr::Kind::Call:
    return "a call to " + quote(e.text);
  case Expr::Kind::List:
    return "a list of " + std::to_string(e.elements.size()) +
           (e.elements.size() == 1 ? " element" : " elements");
  }
  return "an expression";
}

/// "f32[128, 3, 224, 224]", as inputs are declared.
std::string typeString(const Value &v) {
  std::string s = v.dtype == DType::F32 ? "f32[" : "i32[";
  for (size_t i = 0; i < v.shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(v.shape[i]);
  return s + "]";
}

bool isNumber(const Expr &e) {
  return e.kind == Expr::Kind::Integer || e.kind == Expr::Kind::Float;
}

class Sema {
public:
  Sema(std::string_view fileName, const SemaOptions &options,
       DiagnosticEngine &diags)
      : options(options), diags(diags) {
    graph.fileName = std::string(fileName);
  }

  std::optional<Graph> run(const File &file);

private:
  /// A name in scope; `value` is -1 when its statement had errors.
  struct Symbol {
    int value = -1;
    SourceRange loc;
  };

  void analyzeModel(const ModelBlock &model);
  void analyzeBatch(const ModelBlock &model);
  void analyzeInput(const ModelStmt &stmt);
  void analyzeLayer(const ModelStmt &stmt, size_t index);
  bool analyzeAttributes(const OpInfo &op,
                         const std::vector<const Arg *> &bound, Layer &layer);
  shape::ShapeResult computeShape(const Layer &layer);
  void analyzeTrain(const File &file, const ModelBlock &model);
  void analyzeOptimizer(const Expr &e, TrainConfig &config);
  void analyzeSchedule(const Expr &e, TrainConfig &config);

  void define(const std::string &name, SourceRange loc, int value);
  int resolveInput(const Expr &e, size_t stmtIndex, DType expected);
  bool bindArgs(const Expr &call, const std::vector<Param> &params,
                size_t first, bool positional, std::vector<const Arg *> &bound);

  std::optional<int64_t> evalInt(const Expr &e, const char *what);
  std::optional<Pair> evalPair(const Expr &e, const char *what);
  std::optional<double> evalNumber(const Expr &e, const char *what);
  /// An initializer; the inner optional is empty for `none` (bias only).
  std::optional<std::optional<Init>> evalInit(const Expr &e, const char *what,
                                              bool allowNone);

  const SemaOptions &options;
  DiagnosticEngine &diags;
  bool syntaxErrors = false;
  bool hasLoss = false;
  Graph graph;
  std::map<std::string, Symbol> symbols;
  /// First statement declaring each name, to tell "used before its
  /// definition" from "undefined".
  std::map<std::string, std::pair<size_t, SourceRange>> declarations;
};

std::optional<Graph> Sema::run(const File &file) {
  syntaxErrors = diags.errorCount() > 0;
  if (file.models.empty()) {
    if (!syntaxErrors)
      diags.error({}, "expected a 'model' block, got none");
    return std::nullopt;
  }
  const ModelBlock &model = file.models.front();
  for (size_t i = 1; i < file.models.size(); ++i) {
    diags.error(file.models[i].nameLoc,
                "expected one model per file, got a second one " +
                    quote(file.models[i].name));
    diags.note(model.nameLoc, "first model is here");
  }
  graph.modelName = model.name;
  graph.loc = model.nameLoc;
  analyzeModel(model);
  analyzeTrain(file, model);
  if (diags.errorCount() > 0)
    return std::nullopt;
  return std::move(graph);
}

void Sema::analyzeModel(const ModelBlock &model) {
  for (size_t i = 0; i < model.stmts.size(); ++i) {
    const ModelStmt &stmt = model.stmts[i];
    if (stmt.kind != ModelStmt::Kind::Batch && !stmt.name.empty())
      declarations.emplace(stmt.name, std::make_pair(i, stmt.nameLoc));
  }
  analyzeBatch(model);

  const ModelStmt *output = nullptr, *loss = nullptr;
  size_t numLayers = 0;
  for (size_t i = 0; i < model.stmts.size(); ++i) {
    if (diags.tooManyErrors())
      return;
    const ModelStmt &stmt = model.stmts[i];
    if (stmt.kind == ModelStmt::Kind::Input) {
      analyzeInput(stmt);
      continue;
    }
    if (stmt.kind != ModelStmt::Kind::Layer)
      continue;
    ++numLayers;
    if (stmt.role != Role::Hidden) {
      const ModelStmt *&first = stmt.role == Role::Output ? output : loss;
      const char *keyword = stmt.role == Role::Output ? "output" : "loss";
      if (first) {
        diags.error(stmt.keywordLoc, std::string("expected one '") + keyword +
                                         "' statement, got a second one");
        diags.note(first->keywordLoc,
                   std::string("first '") + keyword + "' is here");
      } else {
        first = &stmt;
      }
    }
    analyzeLayer(stmt, i);
  }
  hasLoss = loss != nullptr;
  if (syntaxErrors)
    return;
  if (numLayers == 0)
    diags.error(model.nameLoc, "model " + quote(model.name) + " has no layers");
  else if (!output)
    diags.error(model.nameLoc, "expected an 'output' statement in model " +
                                   quote(model.name) + ", got none");
}

void Sema::analyzeBatch(const ModelBlock &model) {
  const ModelStmt *first = nullptr;
  int64_t batch = 1;
  for (const ModelStmt &stmt : model.stmts) {
    if (stmt.kind != ModelStmt::Kind::Batch)
      continue;
    if (first) {
      diags.error(stmt.nameLoc, "redefinition of 'batch'");
      diags.note(first->nameLoc, "previous definition is here");
      continue;
    }
    first = &stmt;
    if (stmt.broken)
      continue;
    const Expr &e = *stmt.value;
    if (e.kind != Expr::Kind::Integer)
      diags.error(e.loc,
                  "expected an integer batch size, got " + describeExpr(e));
    else if (e.intValue < 1 || e.intValue > kMaxDim)
      diags.error(e.loc, "expected a batch size in [1, " +
                             std::to_string(kMaxDim) + "], got " +
                             describeExpr(e));
    else
      batch = e.intValue;
  }
  if (options.batchOverride) {
    int64_t value = *options.batchOverride;
    if (value < 1 || value > kMaxDim)
      diags.error({}, "expected a --batch in [1, " + std::to_string(kMaxDim) +
                          "], got " + std::to_string(value));
    else
      batch = value;
  }
  graph.batch = batch;
}

void Sema::define(const std::string &name, SourceRange loc, int value) {
  auto [it, inserted] = symbols.emplace(name, Symbol{value, loc});
  if (inserted)
    return;
  diags.error(loc, "redefinition of " + quote(name));
  diags.note(it->second.loc, "previous definition is here");
}

void Sema::analyzeInput(const ModelStmt &stmt) {
  if (stmt.name.empty())
    return;
  if (stmt.broken)
    return define(stmt.name, stmt.nameLoc, -1);
  bool ok = true;
  Value value;
  value.name = stmt.name;
  value.loc = stmt.nameLoc;
  if (stmt.dtype == "f32") {
    value.dtype = DType::F32;
  } else if (stmt.dtype == "i32") {
    value.dtype = DType::I32;
  } else {
    diags.error(stmt.dtypeLoc, "unknown element type " + quote(stmt.dtype) +
                                   "; expected f32 or i32");
    ok = false;
  }
  for (const auto &dim : stmt.dims) {
    if (dim->kind == Expr::Kind::Integer) {
      value.shape.push_back(dim->intValue);
    } else if (dim->kind == Expr::Kind::Name && dim->text == "batch") {
      value.shape.push_back(graph.batch);
    } else {
      diags.error(dim->loc, "expected a dimension (an integer or 'batch'), "
                            "got " +
                                describeExpr(*dim));
      ok = false;
    }
  }
  if (ok) {
    std::string error =
        shape::checkShape(value.shape, "input " + quote(stmt.name));
    if (!error.empty()) {
      // Point at the offending dimension when one is out of range on its
      // own; a too-large element count is the whole input's fault.
      SourceRange loc = stmt.nameLoc;
      for (size_t i = 0; i < value.shape.size(); ++i)
        if (value.shape[i] < 1 || value.shape[i] > kMaxDim) {
          loc = stmt.dims[i]->loc;
          break;
        }
      diags.error(loc, error);
      ok = false;
    }
  }
  int index = -1;
  if (ok) {
    index = int(graph.values.size());
    graph.values.push_back(std::move(value));
    graph.inputs.push_back(index);
  }
  define(stmt.name, stmt.nameLoc, index);
}

int Sema::resolveInput(const Expr &e, size_t stmtIndex, DType expected) {
  if (e.kind != Expr::Kind::Name) {
    diags.error(e.loc, "expected the name of a tensor, got " + describeExpr(e));
    return -1;
  }
  auto it = symbols.find(e.text);
  if (it != symbols.end()) {
    int index = it->second.value;
    if (index < 0)
      return -1; // its own statement already reported why
    const Value &v = graph.values[index];
    if (v.dtype != expected) {
      diags.error(e.loc, std::string(expected == DType::F32
                                         ? "expected an f32 tensor"
                                         : "expected an i32 tensor of labels") +
                             ", got " + quote(e.text) + " of type " +
                             typeString(v));
      return -1;
    }
    return index;
  }
  auto decl = declarations.find(e.text);
  if (decl != declarations.end()) {
    if (decl->second.first == stmtIndex) {
      diags.error(e.loc, "use of " + quote(e.text) + " in its own definition");
    } else {
      diags.error(e.loc, "use of " + quote(e.text) + " before its definition");
      diags.note(decl->second.second, quote(e.text) + " is defined here");
    }
    return -1;
  }
  std::vector<std::string> known;
  for (const auto &[name, symbol] : symbols)
    known.push_back(name);
  diags.error(e.loc, "use of undefined name " + quote(e.text) +
                         didYouMean(e.text, known));
  return -1;
}

bool Sema::bindArgs(const Expr &call, const std::vector<Param> &params,
                    size_t first, bool positional,
                    std::vector<const Arg *> &bound) {
  bound.assign(params.size(), nullptr);
  bool ok = true, seenKeyword = false;
  size_t nextPositional = 0;
  auto argLoc = [](const Arg &arg) {
    return arg.keyword.empty() ? arg.value->loc : arg.keywordLoc;
  };
  for (size_t i = first; i < call.args.size(); ++i) {
    const Arg &arg = call.args[i];
    size_t slot = 0;
    if (arg.keyword.empty()) {
      if (seenKeyword || !positional) {
        diags.error(arg.value->loc, "expected name=value after a keyword "
                                    "argument, got a positional argument");
        ok = false;
        continue;
      }
      if (nextPositional >= params.size()) {
        diags.error(arg.value->loc,
                    "expected at most " + std::to_string(params.size()) +
                        " arguments to " + quote(call.text) + ", got " +
                        std::to_string(call.args.size()));
        return false;
      }
      slot = nextPositional++;
    } else {
      seenKeyword = true;
      while (slot < params.size() && arg.keyword != params[slot].name)
        ++slot;
      if (slot == params.size()) {
        std::vector<std::string> names = paramNames(params);
        diags.error(arg.keywordLoc, "unknown argument " + quote(arg.keyword) +
                                        " to " + quote(call.text) +
                                        (names.empty() ? "; it takes none"
                                                       : "; expected one of " +
                                                             joinNames(names)) +
                                        didYouMean(arg.keyword, names));
        ok = false;
        continue;
      }
    }
    if (bound[slot]) {
      diags.error(argLoc(arg), "duplicate argument " +
                                   quote(params[slot].name) + " to " +
                                   quote(call.text));
      diags.note(argLoc(*bound[slot]), "first given here");
      ok = false;
      continue;
    }
    bound[slot] = &arg;
  }
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].required && !bound[i]) {
      diags.error(call.loc, "missing argument " + quote(params[i].name) +
                                " to " + quote(call.text));
      ok = false;
    }
  return ok;
}

std::optional<int64_t> Sema::evalInt(const Expr &e, const char *what) {
  if (e.kind == Expr::Kind::Integer)
    return e.intValue;
  diags.error(e.loc, std::string("expected an integer for '") + what +
                         "', got " + describeExpr(e));
  return std::nullopt;
}

std::optional<Pair> Sema::evalPair(const Expr &e, const char *what) {
  if (e.kind == Expr::Kind::Integer)
    return Pair{e.intValue, e.intValue};
  if (e.kind == Expr::Kind::List && e.elements.size() == 2) {
    auto h = evalInt(*e.elements[0], what);
    auto w = evalInt(*e.elements[1], what);
    if (!h || !w)
      return std::nullopt;
    return Pair{*h, *w};
  }
  diags.error(e.loc, std::string("expected an integer or a pair [h, w] for '") +
                         what + "', got " + describeExpr(e));
  return std::nullopt;
}

std::optional<double> Sema::evalNumber(const Expr &e, const char *what) {
  if (isNumber(e))
    return e.floatValue;
  diags.error(e.loc, std::string("expected a number for '") + what + "', got " +
                         describeExpr(e));
  return std::nullopt;
}

std::optional<std::optional<Init>>
Sema::evalInit(const Expr &e, const char *what, bool allowNone) {
  if (isNumber(e))
    return std::optional<Init>(Init{Init::Kind::Constant, e.floatValue, 0.0});
  if (allowNone && e.kind == Expr::Kind::Name && e.text == "none")
    return std::optional<Init>();
  static const std::vector<std::string> initNames = {"normal", "uniform",
                                                     "constant"};
  std::string expected = "a number, normal(mean, std), uniform(low, high)";
  expected += allowNone ? ", constant(value) or none" : " or constant(value)";
  if (e.kind != Expr::Kind::Call) {
    diags.error(e.loc, "expected " + expected + " for '" + what + "', got " +
                           describeExpr(e));
    return std::nullopt;
  }
  Init init;
  std::vector<Param> params;
  if (e.text == "normal") {
    init.kind = Init::Kind::Normal;
    params = {{"mean", true}, {"std", true}};
  } else if (e.text == "uniform") {
    init.kind = Init::Kind::Uniform;
    params = {{"low", true}, {"high", true}};
  } else if (e.text == "constant") {
    init.kind = Init::Kind::Constant;
    params = {{"value", true}};
  } else {
    diags.error(e.loc, "unknown initializer " + quote(e.text) + "; expected " +
                           expected + didYouMean(e.text, initNames));
    return std::nullopt;
  }
  std::vector<const Arg *> bound;
  if (!bindArgs(e, params, 0, /*positional=*/true, bound))
    return std::nullopt;
  std::optional<double> a = evalNumber(*bound[0]->value, params[0].name);
  std::optional<double> b =
      params.size() > 1 ? evalNumber(*bound[1]->value, params[1].name) : 0.0;
  if (!a || !b)
    return std::nullopt;
  init.a = *a;
  init.b = *b;
  if (init.kind == Init::Kind::Normal && init.b < 0) {
    diags.error(bound[1]->value->loc,
                "expected a non-negative standard deviation, got " +
                    describeExpr(*bound[1]->value));
    return std::nullopt;
  }
  if (init.kind == Init::Kind::Uniform && init.a > init.b) {
    diags.error(e.loc, "expected low <= high, got " +
                           describeExpr(*bound[0]->value) + " and " +
                           describeExpr(*bound[1]->value));
    return std::nullopt;
  }
  return std::optional<Init>(init);
}

/// The argument a ShapeRules message blames: the first word of its
/// "expected ..." clause that names one of the call's attributes or inputs.
/// ShapeRules phrases every message that way ("expected a positive stride",
/// "expected groups to divide ...", "expected labels of shape ...");
/// anything unrecognised falls back to the op name. FrontendTest pins the
/// position of every rule's message.
SourceRange blame(const std::string &message, const OpInfo &op,
                  const std::vector<const Arg *> &bound,
                  const std::vector<SourceRange> &inputLocs,
                  SourceRange callee) {
  std::string_view head = message;
  if (head.substr(0, 9) == "expected ")
    head.remove_prefix(9);
  head = head.substr(0, head.find(", got"));
  size_t i = 0;
  while (i < head.size()) {
    auto isWordChar = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '_';
    };
    if (!isWordChar(head[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < head.size() && isWordChar(head[i]))
      ++i;
    std::string_view word = head.substr(start, i - start);
    for (size_t a = 0; a < op.attrs.size(); ++a)
      if (word == op.attrs[a].name && bound[a])
        return bound[a]->value->loc;
    if ((word == "input" || word == "logits" || word == "tensor") &&
        !inputLocs.empty())
      return inputLocs[0];
    if (word == "labels" && inputLocs.size() > 1)
      return inputLocs[1];
    if (word == "inputs" || word == "operands" || word == "shapes")
      return callee;
  }
  return callee;
}

void Sema::analyzeLayer(const ModelStmt &stmt, size_t index) {
  if (stmt.broken || !stmt.value)
    return define(stmt.name, stmt.nameLoc, -1);
  const Expr &call = *stmt.value;
  const OpInfo *op = findOp(call.text);
  if (!op) {
    std::string hint = didYouMean(call.text, opNames());
    diags.error(call.loc,
                "unknown op " + quote(call.text) +
                    (hint.empty() ? "; expected one of " + joinNames(opNames())
                                  : hint));
    return define(stmt.name, stmt.nameLoc, -1);
  }
  Layer layer;
  layer.name = stmt.name;
  layer.loc = stmt.nameLoc;
  layer.kind = op->kind;
  layer.role = stmt.role;
  bool ok = true;

  // Leading positional arguments are the inputs; attributes follow by name.
  size_t numInputs = 0;
  while (numInputs < call.args.size() && call.args[numInputs].keyword.empty())
    ++numInputs;
  std::vector<SourceRange> inputLocs;
  auto plural = [](unsigned n) {
    return std::to_string(n) + (n == 1 ? " input" : " inputs");
  };
  if (numInputs < op->minInputs || numInputs > op->maxInputs) {
    SourceRange loc = numInputs > op->maxInputs
                          ? call.args[op->maxInputs].value->loc
                          : call.loc;
    diags.error(loc, "expected " + plural(op->minInputs) + " to " +
                         quote(call.text) + ", got " +
                         std::to_string(numInputs) +
                         (numInputs > op->maxInputs && !op->attrs.empty()
                              ? " (attributes are written name=value)"
                              : ""));
    ok = false;
  } else {
    for (size_t i = 0; i < numInputs; ++i) {
      const Expr &arg = *call.args[i].value;
      inputLocs.push_back(arg.loc);
      DType expected = op->kind == OpKind::SoftmaxCrossEntropy && i == 1
                           ? DType::I32
                           : DType::F32;
      int value = resolveInput(arg, index, expected);
      if (value < 0)
        ok = false;
      layer.inputs.push_back(value);
    }
  }

  std::vector<const Arg *> bound;
  // Check the attributes even after input errors, to report them all.
  ok &= bindArgs(call, op->attrs, numInputs, /*positional=*/false, bound);
  ok &= analyzeAttributes(*op, bound, layer);
  if (!ok)
    return define(stmt.name, stmt.nameLoc, -1);

  shape::ShapeResult result = computeShape(layer);
  if (!result.ok()) {
    diags.error(blame(result.error, *op, bound, inputLocs, call.loc),
                result.error);
    return define(stmt.name, stmt.nameLoc, -1);
  }
  if (stmt.role == Role::Loss && !result.shape.empty()) {
    diags.error(call.loc,
                "expected a scalar loss, got " + shape::format(result.shape));
    return define(stmt.name, stmt.nameLoc, -1);
  }

  Value value;
  value.name = stmt.name;
  value.shape = result.shape;
  value.dtype = DType::F32;
  value.loc = stmt.nameLoc;
  value.producer = int(graph.layers.size());
  layer.result = int(graph.values.size());
  graph.values.push_back(std::move(value));
  graph.layers.push_back(std::move(layer));
  define(stmt.name, stmt.nameLoc, graph.layers.back().result);
}

bool Sema::analyzeAttributes(const OpInfo &op,
                             const std::vector<const Arg *> &bound,
                             Layer &layer) {
  bool ok = true;
  auto get = [&](const char *name) -> const Expr * {
    for (size_t i = 0; i < op.attrs.size(); ++i)
      if (std::string_view(op.attrs[i].name) == name && bound[i])
        return bound[i]->value.get();
    return nullptr;
  };
  auto intAttr = [&](const char *name, int64_t &out) {
    if (const Expr *e = get(name)) {
      auto v = evalInt(*e, name);
      ok &= v.has_value();
      out = v.value_or(out);
    }
  };
  auto pairAttr = [&](const char *name, Pair &out) {
    if (const Expr *e = get(name)) {
      auto v = evalPair(*e, name);
      ok &= v.has_value();
      out = v.value_or(out);
    }
  };
  /// A real attribute; `valid` says whether the value is in range and
  /// `expected` describes the range for the message.
  auto realAttr = [&](const char *name, double &out, bool (*valid)(double),
                      const char *expected) {
    const Expr *e = get(name);
    if (!e)
      return;
    auto v = evalNumber(*e, name);
    if (v && !valid(*v)) {
      diags.error(e->loc, std::string("expected ") + expected + ", got " +
                              describeExpr(*e));
      v.reset();
    }
    ok &= v.has_value();
    out = v.value_or(out);
  };
  auto initAttrs = [&] {
    if (const Expr *e = get("init")) {
      auto v = evalInit(*e, "init", /*allowNone=*/false);
      ok &= v.has_value();
      if (v)
        layer.weightInit = **v;
    }
    if (const Expr *e = get("bias")) {
      auto v = evalInit(*e, "bias", /*allowNone=*/true);
      ok &= v.has_value();
      if (v)
        layer.biasInit = *v;
    }
  };

  switch (op.kind) {
  case OpKind::Conv2D:
    intAttr("filters", layer.filters);
    pairAttr("kernel", layer.kernel);
    pairAttr("stride", layer.stride);
    pairAttr("pad", layer.pad);
    intAttr("groups", layer.groups);
    initAttrs();
    break;
  case OpKind::MaxPool:
  case OpKind::AvgPool:
    pairAttr("window", layer.kernel);
    // As PyTorch: the stride defaults to the window.
    layer.stride = layer.kernel;
    pairAttr("stride", layer.stride);
    pairAttr("pad", layer.pad);
    break;
  case OpKind::Dense:
    intAttr("units", layer.units);
    initAttrs();
    break;
  case OpKind::Lrn:
    intAttr("size", layer.size);
    realAttr(
        "alpha", layer.alpha, [](double v) { return v >= 0; },
        "a non-negative alpha");
    realAttr(
        "beta", layer.beta, [](double v) { return v >= 0; },
        "a non-negative beta");
    realAttr(
        "k", layer.k, [](double v) { return v > 0; }, "a positive k");
    break;
  case OpKind::Dropout:
    realAttr(
        "rate", layer.rate, [](double v) { return v >= 0 && v < 1; },
        "a rate in [0, 1)");
    break;
  case OpKind::Concat:
    intAttr("axis", layer.axis);
    break;
  default:
    break;
  }
  return ok;
}

shape::ShapeResult Sema::computeShape(const Layer &layer) {
  std::vector<Shape> in;
  for (int v : layer.inputs)
    in.push_back(graph.values[v].shape);
  switch (layer.kind) {
  case OpKind::Conv2D:
    return shape::conv2d(in[0], layer.filters, layer.kernel, layer.stride,
                         layer.pad, layer.groups);
  case OpKind::Relu:
  case OpKind::Dropout:
    return shape::elementwise(in[0]);
  case OpKind::Lrn:
    return shape::lrn(in[0], layer.size);
  case OpKind::MaxPool:
  case OpKind::AvgPool:
    return shape::pool2d(in[0], layer.kernel, layer.stride, layer.pad);
  case OpKind::Dense:
    return shape::dense(in[0], layer.units);
  case OpKind::Flatten:
    return shape::flatten(in[0]);
  case OpKind::Concat:
    return shape::concat(in, layer.axis);
  case OpKind::Add:
    return shape::add(in[0], in[1]);
  case OpKind::Softmax:
    return shape::softmax(in[0]);
  case OpKind::SoftmaxCrossEntropy:
    return shape::softmaxCrossEntropy(in[0], in[1]);
  }
  return shape::ShapeResult::failure("unsupported op");
}

void Sema::analyzeTrain(const File &file, const ModelBlock &model) {
  const TrainBlock *train = nullptr;
  for (const TrainBlock &block : file.trains) {
    if (diags.tooManyErrors())
      return;
    if (train) {
      diags.error(block.keywordLoc,
                  "expected at most one train block, got a second one");
      diags.note(train->keywordLoc, "first train block is here");
      continue;
    }
    train = &block;
    if (block.name != model.name) {
      diags.error(block.nameLoc, "expected a train block for model " +
                                     quote(model.name) + ", got " +
                                     quote(block.name));
      diags.note(model.nameLoc,
                 "model " + quote(model.name) + " is declared here");
    }
    TrainConfig config;
    config.loc = block.nameLoc;
    static const std::vector<std::string> keys = {"optimizer", "schedule",
                                                  "epochs", "augment"};
    std::map<std::string, SourceRange> seen;
    for (const TrainEntry &entry : block.entries) {
      auto [it, inserted] = seen.emplace(entry.key, entry.keyLoc);
      if (!inserted) {
        diags.error(entry.keyLoc, "duplicate setting " + quote(entry.key));
        diags.note(it->second, "first given here");
        continue;
      }
      if (entry.broken)
        continue;
      const Expr &e = *entry.value;
      if (entry.key == "optimizer") {
        analyzeOptimizer(e, config);
      } else if (entry.key == "schedule") {
        analyzeSchedule(e, config);
      } else if (entry.key == "epochs") {
        if (auto v = evalInt(e, "epochs")) {
          if (*v < 1)
            diags.error(e.loc, "expected a positive number of epochs, got " +
                                   describeExpr(e));
          else
            config.epochs = *v;
        }
      } else if (entry.key == "augment") {
        static const std::vector<std::string> kinds = {"paper", "none"};
        if (e.kind != Expr::Kind::Name)
          diags.error(e.loc, "expected an augmentation (paper or none), got " +
                                 describeExpr(e));
        else if (e.text != "paper" && e.text != "none")
          diags.error(e.loc, "unknown augmentation " + quote(e.text) +
                                 "; expected paper or none" +
                                 didYouMean(e.text, kinds));
        else
          config.augment = e.text;
      } else {
        diags.error(entry.keyLoc, "unknown train setting " + quote(entry.key) +
                                      "; expected one of " + joinNames(keys) +
                                      didYouMean(entry.key, keys));
      }
    }
    graph.train = config;
  }
  if ((train || options.requireLoss) && !hasLoss && !syntaxErrors)
    diags.error(train ? train->keywordLoc : model.nameLoc,
                "expected a 'loss' statement for training");
}

void Sema::analyzeOptimizer(const Expr &e, TrainConfig &config) {
  if (e.kind != Expr::Kind::Call && e.kind != Expr::Kind::Name) {
    diags.error(e.loc, "expected an optimizer like sgd(lr=0.01), got " +
                           describeExpr(e));
    return;
  }
  if (e.text != "sgd") {
    diags.error(e.loc, "unknown optimizer " + quote(e.text) + "; expected sgd" +
                           didYouMean(e.text, {"sgd"}));
    return;
  }
  config.optimizer = "sgd";
  const std::vector<Param> params = {{"lr"}, {"momentum"}, {"weight_decay"}};
  std::vector<const Arg *> bound;
  if (!bindArgs(e, params, 0, /*positional=*/true, bound))
    return;
  struct Check {
    double *out;
    bool (*valid)(double);
    const char *expected;
  };
  const Check checks[] = {
      {&config.learningRate, [](double v) { return v > 0; },
       "a positive learning rate"},
      {&config.momentum, [](double v) { return v >= 0 && v < 1; },
       "a momentum in [0, 1)"},
      {&config.weightDecay, [](double v) { return v >= 0; },
       "a non-negative weight_decay"},
  };
  for (size_t i = 0; i < params.size(); ++i) {
    if (!bound[i])
      continue;
    const Expr &value = *bound[i]->value;
    auto v = evalNumber(value, params[i].name);
    if (!v)
      continue;
    if (!checks[i].valid(*v))
      diags.error(value.loc, std::string("expected ") + checks[i].expected +
                                 ", got " + describeExpr(value));
    else
      *checks[i].out = *v;
  }
}

void Sema::analyzeSchedule(const Expr &e, TrainConfig &config) {
  static const std::vector<std::string> schedules = {"plateau", "step",
                                                     "constant"};
  if ((e.kind != Expr::Kind::Call && e.kind != Expr::Kind::Name) ||
      (e.text != "plateau" && e.text != "step" && e.text != "constant")) {
    std::string got = e.kind == Expr::Kind::Call || e.kind == Expr::Kind::Name
                          ? quote(e.text)
                          : describeExpr(e);
    diags.error(e.loc,
                "unknown schedule " + got +
                    "; expected plateau(factor, patience, max_drops), "
                    "step(factor, every) or constant()" +
                    (e.kind == Expr::Kind::Call || e.kind == Expr::Kind::Name
                         ? didYouMean(e.text, schedules)
                         : ""));
    return;
  }
  config.schedule = e.text;
  if (e.text == "constant") {
    std::vector<const Arg *> bound;
    bindArgs(e, {}, 0, /*positional=*/true, bound);
    return;
  }
  bool step = e.text == "step";
  const std::vector<Param> params =
      step ? std::vector<Param>{{"factor"}, {"every"}}
           : std::vector<Param>{{"factor"}, {"patience"}, {"max_drops"}};
  std::vector<const Arg *> bound;
  if (!bindArgs(e, params, 0, /*positional=*/true, bound))
    return;
  if (step) {
    if (!bound[1]) {
      diags.error(e.loc, "expected step(factor, every): 'every' (epochs "
                         "between drops) has no default");
    } else if (auto v = evalInt(*bound[1]->value, "every")) {
      if (*v < 1)
        diags.error(bound[1]->value->loc,
                    "expected a positive every, got " +
                        describeExpr(*bound[1]->value));
      else
        config.every = *v;
    }
  }
  if (bound[0]) {
    const Expr &value = *bound[0]->value;
    if (auto v = evalNumber(value, "factor")) {
      if (*v <= 0 || *v >= 1)
        diags.error(value.loc,
                    "expected a factor in (0, 1), got " + value.text);
      else
        config.factor = *v;
    }
  }
  std::pair<const char *, int64_t *> ints[] = {{"patience", &config.patience},
                                               {"max_drops", &config.maxDrops}};
  for (size_t i = 0; i < 2 && !step; ++i) {
    if (!bound[i + 1])
      continue;
    const Expr &value = *bound[i + 1]->value;
    if (auto v = evalInt(value, ints[i].first)) {
      if (*v < 0)
        diags.error(value.loc, std::string("expected a non-negative ") +
                                   ints[i].first + ", got " +
                                   describeExpr(value));
      else
        *ints[i].second = *v;
    }
  }
}

} // namespace

std::vector<std::string> opNames() {
  std::vector<std::string> names;
  for (const OpInfo &op : opTable())
    names.push_back(op.name);
  return names;
}

std::optional<Graph> analyze(const File &file, std::string_view fileName,
                             const SemaOptions &options,
                             DiagnosticEngine &diags) {
  return Sema(fileName, options, diags).run(file);
}

} // namespace alexnet::frontend
