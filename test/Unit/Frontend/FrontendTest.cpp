//===- FrontendTest.cpp - Unit tests of the model DSL front end -----------===//
//
// The paper's AlexNet parses with the paper's shapes and parameter count;
// every class of error is reported with its message at the right line and
// column; and random or mutated input never crashes or hangs the front end.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Frontend/Frontend.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <sstream>

using namespace alexnet;
using namespace alexnet::frontend;

namespace {

/// DESIGN.md's example with its "..." written out (= models/alexnet.nn).
const char *const kAlexNet = R"(# Comments start with '#'.
model alexnet {
  batch = 128                                   # default; --batch overrides
  input  image : f32[batch, 3, 224, 224]
  input  label : i32[batch]

  conv1 = conv2d(image, filters=96, kernel=11, stride=4, pad=2, init=normal(0, 0.01), bias=0)
  relu1 = relu(conv1)
  norm1 = lrn(relu1, size=5, alpha=1e-4, beta=0.75, k=2)
  pool1 = maxpool(norm1, window=3, stride=2)
  conv2 = conv2d(pool1, filters=256, kernel=5, pad=2, groups=2, init=normal(0, 0.01), bias=1)
  relu2 = relu(conv2)
  norm2 = lrn(relu2, size=5, alpha=1e-4, beta=0.75, k=2)
  pool2 = maxpool(norm2, window=3, stride=2)
  conv3 = conv2d(pool2, filters=384, kernel=3, pad=1, init=normal(0, 0.01), bias=0)
  relu3 = relu(conv3)
  conv4 = conv2d(relu3, filters=384, kernel=3, pad=1, groups=2, init=normal(0, 0.01), bias=1)
  relu4 = relu(conv4)
  conv5 = conv2d(relu4, filters=256, kernel=3, pad=1, groups=2, init=normal(0, 0.01), bias=1)
  relu5 = relu(conv5)
  pool5 = maxpool(relu5, window=3, stride=2)
  flat  = flatten(pool5)
  fc6   = dense(flat, units=4096, init=normal(0, 0.01), bias=1)
  relu6 = relu(fc6)
  drop6 = dropout(relu6, rate=0.5)
  fc7   = dense(drop6, units=4096, init=normal(0, 0.01), bias=1)
  relu7 = relu(fc7)
  drop7 = dropout(relu7, rate=0.5)
  fc8   = dense(drop7, units=1000, init=normal(0, 0.01), bias=0)
  output probs = softmax(fc8)
  loss   xent  = softmax_cross_entropy(fc8, label)
}

train alexnet {
  optimizer = sgd(lr=0.01, momentum=0.9, weight_decay=5e-4)
  schedule  = plateau(factor=0.1, patience=1, max_drops=3)
  epochs    = 90
}
)";

std::optional<Graph> parse(std::string_view source, std::string *errors,
                           std::optional<int64_t> batch = std::nullopt,
                           bool requireLoss = false) {
  std::ostringstream os;
  auto graph = parseModel("test.nn", source, batch, os, requireLoss);
  *errors = os.str();
  return graph;
}

/// The diagnostics for `source`, which must fail.
std::string errorsOf(std::string_view source, bool requireLoss = false) {
  std::string errors;
  EXPECT_FALSE(parse(source, &errors, std::nullopt, requireLoss).has_value())
      << source;
  return errors;
}

/// A model whose body is `body`, after two inputs: image f32[2,3,32,32] on
/// line 3 and label i32[2] on line 4, so `body` starts on line 5.
std::string model(std::string_view body) {
  return "model m {\n"
         "  batch = 2\n"
         "  input image : f32[batch, 3, 32, 32]\n"
         "  input label : i32[batch]\n" +
         std::string(body) + "\n}\n";
}

const Value &valueNamed(const Graph &g, std::string_view name) {
  for (const Value &v : g.values)
    if (v.name == name)
      return v;
  static Value none;
  ADD_FAILURE() << "no value " << name;
  return none;
}

const Layer &layerNamed(const Graph &g, std::string_view name) {
  for (const Layer &l : g.layers)
    if (l.name == name)
      return l;
  static Layer none;
  ADD_FAILURE() << "no layer " << name;
  return none;
}

TEST(Frontend, AlexNetShapesMatchThePaper) {
  std::string errors;
  auto g = parse(kAlexNet, &errors);
  ASSERT_TRUE(g) << errors;
  EXPECT_EQ(errors, "");
  EXPECT_EQ(g->modelName, "alexnet");
  EXPECT_EQ(g->batch, 128);
  EXPECT_EQ(g->layers.size(), 25u);
  ASSERT_EQ(g->inputs.size(), 2u);
  EXPECT_EQ(g->values[g->inputs[1]].dtype, DType::I32);
  EXPECT_EQ(g->values[g->inputs[1]].shape, Shape({128}));

  const std::pair<const char *, Shape> expected[] = {
      {"conv1", {128, 96, 55, 55}},  {"pool1", {128, 96, 27, 27}},
      {"conv2", {128, 256, 27, 27}}, {"pool2", {128, 256, 13, 13}},
      {"conv3", {128, 384, 13, 13}}, {"conv4", {128, 384, 13, 13}},
      {"conv5", {128, 256, 13, 13}}, {"pool5", {128, 256, 6, 6}},
      {"flat", {128, 9216}},         {"fc6", {128, 4096}},
      {"fc7", {128, 4096}},          {"fc8", {128, 1000}},
      {"probs", {128, 1000}},        {"xent", {}},
  };
  for (const auto &[name, shape] : expected)
    EXPECT_EQ(valueNamed(*g, name).shape, shape) << name;

  // The paper's table: 60,965,224 parameters.
  int64_t params = 0;
  for (const Layer &l : g->layers) {
    if (!l.hasParameters())
      continue;
    const Shape &in = g->values[l.inputs[0]].shape;
    Shape weight =
        l.kind == OpKind::Conv2D
            ? shape::conv2dWeight(in[1], l.filters, l.kernel, l.groups)
            : Shape{l.units, in[1]};
    params += shape::numElements(weight);
    params += l.biasInit ? g->values[l.result].shape[1] : 0;
  }
  EXPECT_EQ(params, 60965224);

  const Layer &conv2 = layerNamed(*g, "conv2");
  EXPECT_EQ(conv2.groups, 2);
  EXPECT_EQ(conv2.kernel, (Pair{5, 5}));
  EXPECT_EQ(conv2.stride, (Pair{1, 1}));
  EXPECT_EQ(conv2.pad, (Pair{2, 2}));
  EXPECT_EQ(conv2.weightInit.kind, Init::Kind::Normal);
  EXPECT_DOUBLE_EQ(conv2.weightInit.b, 0.01);
  ASSERT_TRUE(conv2.biasInit);
  EXPECT_EQ(conv2.biasInit->kind, Init::Kind::Constant);
  EXPECT_DOUBLE_EQ(conv2.biasInit->a, 1.0);
  const Layer &norm1 = layerNamed(*g, "norm1");
  EXPECT_EQ(norm1.size, 5);
  EXPECT_DOUBLE_EQ(norm1.alpha, 1e-4);
  EXPECT_DOUBLE_EQ(norm1.beta, 0.75);
  EXPECT_DOUBLE_EQ(norm1.k, 2.0);
  EXPECT_EQ(layerNamed(*g, "pool1").stride, (Pair{2, 2}));
  EXPECT_DOUBLE_EQ(layerNamed(*g, "drop6").rate, 0.5);
  EXPECT_EQ(layerNamed(*g, "conv1").loc.line, 7u);
  EXPECT_EQ(layerNamed(*g, "conv1").loc.column, 3u);

  ASSERT_TRUE(g->outputLayer());
  EXPECT_EQ(g->outputLayer()->name, "probs");
  ASSERT_TRUE(g->lossLayer());
  EXPECT_EQ(g->lossLayer()->name, "xent");
  EXPECT_EQ(g->lossLayer()->inputs[1], g->inputs[1]);

  ASSERT_TRUE(g->train);
  EXPECT_EQ(g->train->optimizer, "sgd");
  EXPECT_DOUBLE_EQ(g->train->learningRate, 0.01);
  EXPECT_DOUBLE_EQ(g->train->momentum, 0.9);
  EXPECT_DOUBLE_EQ(g->train->weightDecay, 5e-4);
  EXPECT_EQ(g->train->schedule, "plateau");
  EXPECT_DOUBLE_EQ(g->train->factor, 0.1);
  EXPECT_EQ(g->train->patience, 1);
  EXPECT_EQ(g->train->maxDrops, 3);
  EXPECT_EQ(g->train->epochs, 90);

  // Every value is produced before it is used, in source order.
  for (size_t i = 0; i < g->layers.size(); ++i) {
    EXPECT_EQ(g->values[g->layers[i].result].producer, int(i));
    for (int in : g->layers[i].inputs)
      EXPECT_TRUE(g->values[in].producer < int(i));
  }
}

TEST(Frontend, BatchOverrideAndDefault) {
  std::string errors;
  auto g = parse(kAlexNet, &errors, 4);
  ASSERT_TRUE(g) << errors;
  EXPECT_EQ(g->batch, 4);
  EXPECT_EQ(valueNamed(*g, "conv1").shape, Shape({4, 96, 55, 55}));
  EXPECT_EQ(valueNamed(*g, "label").shape, Shape({4}));

  g = parse("model m { input x : f32[batch, 8]; output y = relu(x) }", &errors);
  ASSERT_TRUE(g) << errors;
  EXPECT_EQ(g->batch, 1);
  EXPECT_EQ(valueNamed(*g, "y").shape, Shape({1, 8}));
  EXPECT_FALSE(g->train);
}

TEST(Frontend, OptionalSyntax) {
  std::string errors;
  // Calls may break lines after '(' or ',', and close on their own line;
  // statements may share a line with ';'; CRLF line ends are fine.
  auto g = parse("model m {\r\n"
                 "  input x : f32[2, 3, 8, 8]\r\n"
                 "  c = conv2d(\r\n"
                 "      x, filters=4,\r\n"
                 "      kernel=[3, 1], stride=[1, 2], bias=none,\r\n"
                 "      init=uniform(-0.5, 0.5)\r\n"
                 "  ); r = relu(c)\r\n"
                 "  p = avgpool(r, window=2, pad=1)\r\n"
                 "  f = flatten(p)\r\n"
                 "  output = dense(f, units=3, bias=normal(0, 1))\r\n"
                 "  output probs = softmax(output)\r\n"
                 "}\r\n",
                 &errors);
  ASSERT_TRUE(g) << errors;
  const Layer &c = layerNamed(*g, "c");
  EXPECT_FALSE(c.biasInit);
  EXPECT_EQ(c.weightInit.kind, Init::Kind::Uniform);
  EXPECT_DOUBLE_EQ(c.weightInit.a, -0.5);
  EXPECT_EQ(valueNamed(*g, "c").shape, Shape({2, 4, 6, 4}));
  // The stride of a pool defaults to its window.
  EXPECT_EQ(valueNamed(*g, "p").shape, Shape({2, 4, 4, 3}));
  // `output = ...` is a layer named "output", not an output statement.
  EXPECT_EQ(valueNamed(*g, "output").shape, Shape({2, 3}));
  ASSERT_TRUE(g->outputLayer());
  EXPECT_EQ(g->outputLayer()->name, "probs");
}

TEST(Frontend, OptionalSyntaxNeedsAnOutputStatement) {
  EXPECT_NE(errorsOf("model m { input x : f32[2, 3]; output = relu(x) }")
                .find("expected an 'output' statement in model 'm', got none"),
            std::string::npos);
}

TEST(Frontend, CaretLine) {
  EXPECT_EQ(errorsOf(model("  conv1 = conv3d(image, filters=4, kernel=3)\n"
                           "  output o = relu(image)")),
            "test.nn:5:11: error: unknown op 'conv3d'; did you mean "
            "'conv2d'?\n"
            "  conv1 = conv3d(image, filters=4, kernel=3)\n"
            "          ^~~~~~\n");
}

TEST(Frontend, NotesFollowTheirError) {
  EXPECT_EQ(errorsOf(model("  r = relu(image)\n  r = relu(image)\n"
                           "  output o = softmax(label)")),
            "test.nn:6:3: error: redefinition of 'r'\n"
            "  r = relu(image)\n"
            "  ^\n"
            "test.nn:5:3: note: previous definition is here\n"
            "  r = relu(image)\n"
            "  ^\n"
            "test.nn:7:22: error: expected an f32 tensor, got 'label' of "
            "type i32[2]\n"
            "  output o = softmax(label)\n"
            "                     ^~~~~\n");
}

struct ErrorCase {
  const char *body;     ///< model body, starting on line 5
  const char *expected; ///< "line:col: error: message" (first error)
};

/// Each error class, its message and its position. Bodies that do not
/// declare an output add one, so the error under test is the only one.
const ErrorCase kErrorCases[] = {
    // Names.
    {"  output o = relu(imag)",
     "5:19: error: use of undefined name 'imag'; did you mean 'image'?"},
    {"  a = relu(b)\n  b = relu(image)\n  output o = relu(a)",
     "5:12: error: use of 'b' before its definition"},
    {"  output a = relu(a)", "5:19: error: use of 'a' in its own definition"},
    {"  image = relu(image)\n  output o = relu(image)",
     "5:3: error: redefinition of 'image'"},
    {"  output o = relu(label)",
     "5:19: error: expected an f32 tensor, got 'label' of type i32[2]"},
    {"  f = flatten(image)\n  output o = softmax_cross_entropy(f, f)",
     "6:39: error: expected an i32 tensor of labels, got 'f' of type "
     "f32[2, 3072]"},
    {"  output o = relu(3)",
     "5:19: error: expected the name of a tensor, got 3"},
    {"  output o = relu(relu(image))",
     "5:19: error: expected the name of a tensor, got a call to 'relu'"},
    // Ops and arguments.
    {"  output o = conv3d(image, filters=4, kernel=3)",
     "5:14: error: unknown op 'conv3d'; did you mean 'conv2d'?"},
    {"  output o = frobnicate(image)",
     "5:14: error: unknown op 'frobnicate'; expected one of conv2d, relu, "
     "lrn, maxpool, avgpool, dense, dropout, flatten, concat, add, softmax, "
     "softmax_cross_entropy"},
    {"  output o = conv2d(image, filters=4, kernel=3, strides=2)",
     "5:49: error: unknown argument 'strides' to 'conv2d'; expected one of "
     "filters, kernel, stride, pad, groups, init, bias; did you mean "
     "'stride'?"},
    {"  output o = relu(image, alpha=1)",
     "5:26: error: unknown argument 'alpha' to 'relu'; it takes none"},
    {"  output o = conv2d(image, kernel=3)",
     "5:14: error: missing argument 'filters' to 'conv2d'"},
    {"  output o = conv2d(image, filters=4, kernel=3, pad=1, pad=1)",
     "5:56: error: duplicate argument 'pad' to 'conv2d'"},
    {"  output o = conv2d(image, filters=4, kernel=3, 1)",
     "5:49: error: expected name=value after a keyword argument, got a "
     "positional argument"},
    {"  output o = conv2d(image, image, filters=4, kernel=3)",
     "5:28: error: expected 1 input to 'conv2d', got 2 (attributes are "
     "written name=value)"},
    {"  output o = add(image)",
     "5:14: error: expected 2 inputs to 'add', got 1"},
    // Types.
    {"  output o = conv2d(image, filters=1.5, kernel=3)",
     "5:36: error: expected an integer for 'filters', got 1.5"},
    {"  r = relu(image)\n  output o = conv2d(image, filters=4, kernel=r)",
     "6:46: error: expected an integer or a pair [h, w] for 'kernel', got "
     "name 'r'"},
    {"  output o = conv2d(image, filters=[1, 2], kernel=3)",
     "5:36: error: expected an integer for 'filters', got a list of 2 "
     "elements"},
    {"  output o = conv2d(image, filters=4, kernel=[1, 2, 3])",
     "5:46: error: expected an integer or a pair [h, w] for 'kernel', got a "
     "list of 3 elements"},
    {"  output o = lrn(image, alpha=none)",
     "5:31: error: expected a number for 'alpha', got name 'none'"},
    {"  output o = conv2d(image, filters=4, kernel=3, init=none)",
     "5:54: error: expected a number, normal(mean, std), uniform(low, high) "
     "or constant(value) for 'init', got name 'none'"},
    {"  output o = conv2d(image, filters=4, kernel=3, init=gauss(0, 1))",
     "5:54: error: unknown initializer 'gauss'; expected a number, "
     "normal(mean, std), uniform(low, high) or constant(value)"},
    {"  output o = conv2d(image, filters=4, kernel=3, init=normal(0))",
     "5:54: error: missing argument 'std' to 'normal'"},
    {"  output o = conv2d(image, filters=4, kernel=3, init=normal(0, -1))",
     "5:64: error: expected a non-negative standard deviation, got -1"},
    {"  output o = conv2d(image, filters=4, kernel=3, bias=uniform(1, 0))",
     "5:54: error: expected low <= high, got 1 and 0"},
    // Sizes: ShapeRules' messages, underlining the argument they blame.
    {"  output o = conv2d(image, filters=0, kernel=3)",
     "5:36: error: expected a positive number of filters, got 0"},
    {"  output o = conv2d(image, filters=4, kernel=-1)",
     "5:46: error: expected a positive kernel, got -1x-1"},
    {"  output o = conv2d(image, filters=4, kernel=3, stride=[1, 0])",
     "5:56: error: expected a positive stride, got 1x0"},
    {"  output o = conv2d(image, filters=4, kernel=3, pad=-2)",
     "5:53: error: expected a non-negative pad, got -2x-2"},
    {"  output o = conv2d(image, filters=4, kernel=3, pad=3)",
     "5:53: error: expected a pad smaller than the kernel 3x3, got 3x3"},
    {"  output o = conv2d(image, filters=16777217, kernel=3)",
     "5:36: error: expected a number of filters of at most 16777216, got "
     "16777217"},
    {"  output o = conv2d(image, filters=99999999999999999999, kernel=3)",
     "5:36: error: expected an integer of at most 9223372036854775807, got "
     "'99999999999999999999'"},
    {"  output o = conv2d(image, filters=4, kernel=40, pad=1)",
     "5:46: error: expected a kernel no larger than the padded input 34x34, "
     "got 40x40"},
    {"  output o = conv2d(image, filters=4, kernel=3, groups=2)",
     "5:56: error: expected groups to divide the input channels (3), got "
     "groups = 2"},
    {"  output o = conv2d(image, filters=4, kernel=3, groups=3)",
     "5:56: error: expected groups to divide the filters (4), got groups = 3"},
    {"  output o = maxpool(image, window=[3, 64])",
     "5:36: error: expected a window no larger than the padded input 32x32, "
     "got 3x64"},
    {"  output o = lrn(image, size=4)",
     "5:30: error: expected a positive odd size, got 4"},
    {"  output o = lrn(image, k=0)",
     "5:27: error: expected a positive k, got 0"},
    {"  output o = lrn(image, alpha=-1e-4)",
     "5:31: error: expected a non-negative alpha, got -1e-4"},
    {"  output o = dropout(image, rate=1.0)",
     "5:34: error: expected a rate in [0, 1), got 1.0"},
    {"  output o = dense(image, units=10)",
     "5:20: error: expected a rank-2 [batch, features] input (flatten "
     "first), got rank 4 (2x3x32x32)"},
    {"  f = flatten(image)\n  output o = dense(f, units=0)",
     "6:29: error: expected a positive number of units, got 0"},
    {"  input w : f32[2, 70000]\n  output o = dense(w, units=16777216)",
     "6:14: error: expected at most 1099511627776 elements in the dense "
     "weight, got 16777216x70000"},
    {"  p = maxpool(image, window=2)\n  output o = add(image, p)",
     "6:14: error: expected operands of the same shape, got 2x3x32x32 and "
     "2x3x16x16"},
    {"  p = maxpool(image, window=2)\n  output o = concat(image, p)",
     "6:14: error: expected shapes equal except along axis 1, got 2x3x32x32 "
     "and 2x3x16x16"},
    {"  output o = concat(image, image, axis=4)",
     "5:40: error: expected an axis in [0, 4), got 4"},
    {"  output o = concat(image)",
     "5:14: error: expected at least 2 inputs, got 1"},
    {"  output o = softmax(image)",
     "5:22: error: expected a rank-2 [batch, classes] input, got rank 4 "
     "(2x3x32x32)"},
    {"  f = flatten(image)\n  output o = softmax_cross_entropy(f, label)\n"
     "  q = relu(o)",
     "7:12: error: expected a tensor of rank 1 or more, got a scalar"},
    {"  f = flatten(image)\n  output o = relu(f)\n"
     "  loss l = relu(f)",
     "7:12: error: expected a scalar loss, got 2x3072"},
    {"  input v : f32[7]\n  output o = flatten(v)",
     "6:22: error: expected an input of rank 2 or more, got rank 1"},
    // Statements.
    {"  input x : f64[2]\n  output o = relu(image)",
     "5:13: error: unknown element type 'f64'; expected f32 or i32"},
    {"  input x : f32[2, 0]\n  output o = relu(image)",
     "5:20: error: expected positive dimensions for input 'x', got 2x0"},
    {"  input x : f32[2, depth]\n  output o = relu(image)",
     "5:20: error: expected a dimension (an integer or 'batch'), got name "
     "'depth'"},
    {"  batch = 3\n  output o = relu(image)",
     "5:3: error: redefinition of 'batch'"},
    {"  output o = relu(image)\n  output p = relu(image)",
     "6:3: error: expected one 'output' statement, got a second one"},
    // Syntax.
    {"  output o = relu(image", "5:24: error: expected ',' or ')' after the "
                                "argument, got newline"},
    {"  output o = relu(image))",
     "5:25: error: expected newline or ';' after the statement, got ')'"},
    {"  output o relu(image)",
     "5:12: error: expected '=' after 'o', got 'relu'"},
    {"  output o = 3",
     "5:14: error: expected an op call like relu(x), got '3'"},
    {"  output o = relu(image, alpha=)",
     "5:32: error: expected a number, name, call or list, got ')'"},
    {"  output o = lrn(image, alpha=-x)",
     "5:32: error: expected a number after '-', got 'x'"},
    {"  = relu(image)",
     "5:3: error: expected a statement (batch, input, output, loss or NAME = "
     "op(...)), got '='"},
    {"  input : f32[2]", "5:9: error: expected an input name after 'input', "
                         "got ':'"},
    {"  output o = relu(image) $", "5:26: error: unexpected character '$'"},
    {"  output o = relu(image) # \xc3\xa9 is fine in comments\n  \xc3\xa9",
     "6:3: error: unexpected character '\xc3\xa9' (U+00E9)"},
    {"  output o = relu(image) \x01",
     "5:26: error: unexpected control character 0x01"},
    {"  output o = relu(image) # \xff",
     "5:28: error: invalid byte 0xff; expected UTF-8 text"},
    {"  output o = lrn(image, alpha=1.e3)",
     "5:31: error: expected a number like 3, 0.75 or 1e-4, got '1.e3'"},
    {"  output o = lrn(image, alpha=1e999)",
     "5:31: error: expected a number within the range of a double, got "
     "'1e999'"},
};

TEST(Frontend, ErrorCatalogue) {
  for (const ErrorCase &c : kErrorCases) {
    std::string errors = errorsOf(model(c.body));
    std::string first = errors.substr(0, errors.find('\n'));
    EXPECT_EQ(first, std::string("test.nn:") + c.expected) << c.body;
  }
}

TEST(Frontend, FileLevelErrors) {
  EXPECT_EQ(errorsOf(""), "test.nn: error: expected a 'model' block, got "
                          "none\n");
  EXPECT_EQ(errorsOf("model m {\n  input x : f32[2]\n}\n"),
            "test.nn:1:7: error: model 'm' has no layers\n"
            "model m {\n"
            "      ^\n");
  std::string errors = errorsOf("model m {\n  input x : f32[2, 4]\n"
                                "  y = relu(x)\n}\n");
  EXPECT_EQ(errors.substr(0, errors.find('\n')),
            "test.nn:1:7: error: expected an 'output' statement in model "
            "'m', got none");
  errors = errorsOf("model m {\n  input x : f32[2, 4]\n"
                    "  output y = relu(x)\n");
  EXPECT_EQ(errors, "test.nn:3:21: error: expected '}' to close model 'm', "
                    "got end of file\n"
                    "  output y = relu(x)\n"
                    "                    ^\n"
                    "test.nn:1:9: note: block opened here\n"
                    "model m {\n"
                    "        ^\n");
  errors = errorsOf("model m { input x : f32[2, 4]; output y = relu(x) }\n"
                    "model n { input x : f32[2, 4]; output y = relu(x) }\n");
  EXPECT_EQ(errors.substr(0, errors.find('\n')),
            "test.nn:2:7: error: expected one model per file, got a second "
            "one 'n'");
  errors = errorsOf("garbage\n");
  EXPECT_EQ(errors.substr(0, errors.find('\n')),
            "test.nn:1:1: error: expected a 'model' or 'train' block, got "
            "'garbage'");
}

TEST(Frontend, TrainBlockErrors) {
  const std::string net =
      "model m {\n  input x : f32[2, 4]\n  output y = relu(x)\n}\n";
  EXPECT_EQ(errorsOf(net + "train m { epochs = 1 }\n"),
            "test.nn:5:1: error: expected a 'loss' statement for training\n"
            "train m { epochs = 1 }\n"
            "^~~~~\n");
  EXPECT_EQ(errorsOf(net, /*requireLoss=*/true),
            "test.nn:1:7: error: expected a 'loss' statement for training\n"
            "model m {\n"
            "      ^\n");
  const std::string trainable =
      "model m {\n  input x : f32[2, 4]\n  input l : i32[2]\n"
      "  output y = softmax(x)\n  loss z = softmax_cross_entropy(x, l)\n}\n";
  const std::pair<const char *, const char *> cases[] = {
      {"train n { epochs = 1 }",
       "7:7: error: expected a train block for model 'm', got 'n'"},
      {"train m { epochs = 0 }",
       "7:20: error: expected a positive number of epochs, got 0"},
      {"train m { lr = 0.1 }",
       "7:11: error: unknown train setting 'lr'; expected one of optimizer, "
       "schedule, epochs, augment"},
      {"train m { epoch = 3 }",
       "7:11: error: unknown train setting 'epoch'; expected one of "
       "optimizer, schedule, epochs, augment; did you mean 'epochs'?"},
      {"train m { epochs = 1; epochs = 2 }",
       "7:23: error: duplicate setting 'epochs'"},
      {"train m { optimizer = adam(lr=0.1) }",
       "7:23: error: unknown optimizer 'adam'; expected sgd"},
      {"train m { optimizer = sgd(lr=0) }",
       "7:30: error: expected a positive learning rate, got 0"},
      {"train m { optimizer = sgd(momentum=1) }",
       "7:36: error: expected a momentum in [0, 1), got 1"},
      {"train m { optimizer = sgd(rate=1) }",
       "7:27: error: unknown argument 'rate' to 'sgd'; expected one of lr, "
       "momentum, weight_decay"},
      {"train m { schedule = cosine() }",
       "7:22: error: unknown schedule 'cosine'; expected plateau(factor, "
       "patience, max_drops), step(factor, every) or constant()"},
      {"train m { schedule = step(factor=0.1) }",
       "7:22: error: expected step(factor, every): 'every' (epochs between "
       "drops) has no default"},
      {"train m { schedule = step(0.1, 0) }",
       "7:32: error: expected a positive every, got 0"},
      {"train m { schedule = plateau(factor=1) }",
       "7:37: error: expected a factor in (0, 1), got 1"},
      {"train m { schedule = plateau(patience=-1) }",
       "7:39: error: expected a non-negative patience, got -1"},
      {"train m { schedule = constant(3) }",
       "7:31: error: expected at most 0 arguments to 'constant', got 1"},
      {"train m { epochs = 1 }\ntrain m { epochs = 2 }",
       "8:1: error: expected at most one train block, got a second one"},
  };
  for (const auto &[train, expected] : cases) {
    std::string errors = errorsOf(trainable + train + "\n");
    EXPECT_EQ(errors.substr(0, errors.find('\n')),
              std::string("test.nn:") + expected)
        << train;
  }
  std::string errors;
  auto g = parse(trainable + "train m { optimizer = sgd(0.5, 0.8, 0)\n"
                             "  schedule = constant() }\n",
                 &errors);
  ASSERT_TRUE(g) << errors;
  EXPECT_DOUBLE_EQ(g->train->learningRate, 0.5);
  EXPECT_DOUBLE_EQ(g->train->momentum, 0.8);
  EXPECT_DOUBLE_EQ(g->train->weightDecay, 0.0);
  EXPECT_EQ(g->train->schedule, "constant");
  EXPECT_EQ(g->train->epochs, 90);
}

TEST(Frontend, BatchErrors) {
  std::string errors;
  EXPECT_FALSE(parse(kAlexNet, &errors, 0));
  EXPECT_EQ(errors.substr(0, errors.find('\n')),
            "test.nn: error: expected a --batch in [1, 16777216], got 0");
  errors = errorsOf("model m { batch = 0; input x : f32[batch, 4]; "
                    "output y = relu(x) }");
  EXPECT_EQ(errors.substr(0, errors.find('\n')),
            "test.nn:1:19: error: expected a batch size in [1, 16777216], "
            "got 0");
  errors = errorsOf("model m { batch = 2.5; input x : f32[batch, 4]; "
                    "output y = relu(x) }");
  EXPECT_EQ(errors.substr(0, errors.find('\n')),
            "test.nn:1:19: error: expected an integer batch size, got 2.5");
}

TEST(Frontend, EveryErrorIsReported) {
  std::string errors = errorsOf(model("  a = conv3d(image)\n"
                                      "  b = relu(a)\n"    // a is poisoned
                                      "  c = relu(image\n" // syntax
                                      "  d = relu(c)\n"    // c is poisoned
                                      "  e = relu(nope)\n"
                                      "  output o = relu(label)"));
  std::vector<std::string> headers;
  std::istringstream in(errors);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("test.nn:", 0) == 0)
      headers.push_back(line.substr(0, line.find(": error")));
  EXPECT_EQ(headers,
            (std::vector<std::string>{"test.nn:5:7", "test.nn:7:17",
                                      "test.nn:9:12", "test.nn:10:19"}))
      << errors;
}

TEST(Frontend, ErrorLimit) {
  std::string body;
  for (int i = 0; i < 80; ++i)
    body += "  x" + std::to_string(i) + " = relu(nope)\n";
  std::string errors = errorsOf(model(body));
  size_t count = 0;
  for (size_t pos = 0;
       (pos = errors.find(": error: ", pos)) != std::string::npos; ++pos)
    ++count;
  EXPECT_EQ(count, DiagnosticEngine::kDefaultErrorLimit + 1);
  EXPECT_NE(errors.find("test.nn: error: too many errors, stopping after 50"),
            std::string::npos);
}

TEST(Frontend, LongLinesAreCut) {
  std::string name(10000, 'a');
  std::string errors =
      errorsOf(model("  output o = relu(image, " + name + "=1)"));
  std::istringstream in(errors);
  std::string header, echo, caret;
  std::getline(in, header);
  std::getline(in, echo);
  std::getline(in, caret);
  EXPECT_EQ(header, "test.nn:5:26: error: unknown argument '" +
                        std::string(64, 'a') + "...' to 'relu'; it takes none");
  EXPECT_EQ(echo, "  output o = relu(image, " + std::string(95, 'a') + "...");
  EXPECT_EQ(caret, std::string(25, ' ') + "^" + std::string(94, '~'));

  errors = errorsOf(
      model("  output o = relu(image" + std::string(9000, ' ') + "$)"));
  in.str(errors);
  in.clear();
  std::getline(in, header);
  std::getline(in, echo);
  std::getline(in, caret);
  EXPECT_EQ(header, "test.nn:5:9024: error: unexpected character '$'");
  EXPECT_EQ(echo, "..." + std::string(60, ' ') + "$)");
  EXPECT_EQ(caret, std::string(63, ' ') + "^");
}

TEST(Frontend, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 500; ++i)
    deep += "normal(";
  deep += "0";
  for (int i = 0; i < 500; ++i)
    deep += ")";
  std::string errors = errorsOf(model(
      "  output o = conv2d(image, filters=4, kernel=3, init=" + deep + ")"));
  EXPECT_NE(errors.find("error: expected nesting depth of at most 64, got "
                        "deeper"),
            std::string::npos);
  EXPECT_EQ(errors.find("error:"), errors.rfind("error:")) << errors;

  errors =
      errorsOf(model("  output o = relu(" + std::string(100000, '[') + ")"));
  EXPECT_EQ(errors.find("error:"), errors.rfind("error:")) << errors;
}

/// Parses `source` with diagnostics counted but not printed; the point is
/// that it returns, quickly, whatever the input.
void survive(const std::string &source) {
  SemaOptions options;
  auto start = std::chrono::steady_clock::now();
  FrontendResult r = runFrontend("fuzz.nn", source, options, nullptr);
  auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_LT(seconds, 2.0) << source;
  EXPECT_EQ(r.graph.has_value(), r.errorCount == 0);
  // Rendering must cope too.
  std::ostringstream sink;
  parseModel("fuzz.nn", source, std::nullopt, sink);
}

TEST(Frontend, SurvivesRandomBytes) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 300, '\0');
    for (char &c : s)
      c = char(rng());
    survive(s);
  }
}

TEST(Frontend, SurvivesRandomTokens) {
  const char *pieces[] = {
      "model",  "train",  "m",      "{",    "}",    "(",      ")",
      "[",      "]",      ",",      ";",    ":",    "=",      "-",
      "\n",     "1",      "0.5",    "1e-4", "x",    "image",  "batch",
      "input",  "output", "loss",   "f32",  "i32",  "conv2d", "relu",
      "normal", "none",   "concat", "add",  "#c\n", " "};
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    for (int n = rng() % 200; n > 0; --n)
      s += pieces[rng() % (sizeof(pieces) / sizeof(*pieces))];
    survive(s);
  }
}

TEST(Frontend, SurvivesMutationsOfAValidModel) {
  std::mt19937 rng(99);
  const std::string valid = kAlexNet;
  for (int i = 0; i < 2000; ++i) {
    std::string s = valid;
    for (int edits = 1 + rng() % 8; edits > 0; --edits) {
      size_t pos = rng() % s.size();
      switch (rng() % 4) {
      case 0:
        s.erase(pos, 1 + rng() % 20);
        break;
      case 1:
        s.insert(pos, 1, char(rng()));
        break;
      case 2:
        s[pos] = char(rng());
        break;
      default:
        s.insert(pos, s.substr(rng() % s.size(), rng() % 40));
        break;
      }
      if (s.empty())
        s = "m";
    }
    survive(s);
  }
}

} // namespace
