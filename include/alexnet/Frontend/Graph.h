//===- Graph.h - The checked model graph the front end produces -*- C++ -*-===//
//
// The contract between the DSL front end (lexer, parser, semantic analysis)
// and MLIR generation. Everything here is already validated: names resolved,
// attributes defaulted and range-checked, shapes computed through
// ShapeRules.h. MLIR-free, so the parser fuzzer links it alone.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_FRONTEND_GRAPH_H
#define ALEXNET_FRONTEND_GRAPH_H

#include "alexnet/Dialect/NN/ShapeRules.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace alexnet::frontend {

using shape::Pair;
using shape::Shape;

/// 1-based position of a token in the source file, and its length in bytes.
struct SourceRange {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t length = 1;
};

enum class DType { F32, I32 };

enum class OpKind {
  Conv2D,
  Relu,
  Lrn,
  MaxPool,
  AvgPool,
  Dense,
  Dropout,
  Flatten,
  Concat,
  Add,
  Softmax,
  SoftmaxCrossEntropy,
};

/// How a parameter tensor is initialised (DSL: normal(m, s), uniform(lo, hi),
/// constant(v); a bare number n means constant(n)).
struct Init {
  enum class Kind { Normal, Uniform, Constant };
  Kind kind = Kind::Constant;
  double a = 0.0; ///< mean, low bound, or the constant
  double b = 0.0; ///< standard deviation or high bound; unused for Constant
};

/// A named tensor: a model input or the result of a layer.
struct Value {
  std::string name;
  Shape shape;
  DType dtype = DType::F32;
  SourceRange loc;
  int producer = -1; ///< index into Graph::layers, or -1 for a model input
};

/// What a layer statement contributes to the model.
enum class Role { Hidden, Output, Loss };

/// One layer statement, resolved. Only the attributes of its kind are
/// meaningful; the rest keep their defaults.
struct Layer {
  std::string name;
  SourceRange loc;
  OpKind kind = OpKind::Relu;
  Role role = Role::Hidden;
  std::vector<int> inputs; ///< indices into Graph::values
  int result = -1;         ///< index into Graph::values

  // conv2d / maxpool / avgpool
  int64_t filters = 0;
  Pair kernel{0, 0}; ///< conv2d kernel, or pooling window
  Pair stride{1, 1};
  Pair pad{0, 0};
  int64_t groups = 1;
  // dense
  int64_t units = 0;
  // conv2d / dense parameters; no bias when biasInit is empty (bias=none)
  Init weightInit{Init::Kind::Normal, 0.0, 0.01};
  std::optional<Init> biasInit = Init{Init::Kind::Constant, 0.0, 0.0};
  // lrn: b = a / (k + alpha * sum a^2)^beta, alpha not divided by size
  int64_t size = 5;
  double alpha = 1e-4;
  double beta = 0.75;
  double k = 2.0;
  // dropout
  double rate = 0.5;
  // concat
  int64_t axis = 1;

  bool hasParameters() const {
    return kind == OpKind::Conv2D || kind == OpKind::Dense;
  }
};

/// The train block (all fields validated and defaulted).
struct TrainConfig {
  SourceRange loc;
  // optimizer = sgd(lr, momentum, weight_decay)
  std::string optimizer = "sgd";
  double learningRate = 0.01;
  double momentum = 0.9;
  double weightDecay = 5e-4;
  // schedule = plateau(factor, patience, max_drops) | step(factor, every) |
  // constant()
  std::string schedule = "plateau";
  double factor = 0.1;
  int64_t patience = 1;
  int64_t maxDrops = 3;
  int64_t every = 0; ///< step: epochs between drops
  int64_t epochs = 90;
  // augment = paper | none: the paper's random crops, flips and PCA colour
  // noise on training batches, or the stored images as they are.
  std::string augment = "paper";
};

struct Graph {
  std::string modelName;
  std::string fileName;
  SourceRange loc; ///< the model's name in `model NAME {`
  int64_t batch = 1;
  std::vector<Value> values;
  std::vector<int> inputs; ///< indices into values, in declaration order
  std::vector<Layer> layers; ///< in a valid topological (source) order
  std::optional<TrainConfig> train;

  /// The layer whose role is Output / Loss, or nullptr.
  const Layer *outputLayer() const { return findRole(Role::Output); }
  const Layer *lossLayer() const { return findRole(Role::Loss); }

private:
  const Layer *findRole(Role role) const {
    for (const Layer &l : layers)
      if (l.role == role)
        return &l;
    return nullptr;
  }
};

} // namespace alexnet::frontend

#endif // ALEXNET_FRONTEND_GRAPH_H
