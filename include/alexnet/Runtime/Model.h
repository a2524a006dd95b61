//===- Model.h - What an emitted executable tells the runtime ---*- C++ -*-===//
//
// The contract between generated code and the runtime. The compiler emits one
// translation unit per model holding the kernels, the schedule (one function
// per entry point) and a constant ModelDesc describing everything else:
// inputs, output, parameters with their initialisers, layers for `info`,
// arena sizes per device. The runtime's driver (runMain) implements every
// subcommand (init, import, export, infer, predict, bench, info, ...) on top
// of it, so generated code stays small and the driver is tested once.
//
// Plain data with static storage: generated code defines it with aggregate
// initialisers, no constructors run.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_MODEL_H
#define ALEXNET_RUNTIME_MODEL_H

#include <cstdint>
#include <string_view>

namespace alexnet::runtime {

constexpr int kMaxRank = 4;

/// Element types of entry-point arguments: f32 tensors, i32 labels, i64
/// scalars (seed, step) and one-byte booleans (the dropout switch).
enum class ElementType : int32_t { F32 = 0, I32 = 1, I64 = 2, Bool = 3 };

/// A model input or output: name and static shape (batch included; rank 0
/// for scalars).
struct TensorSpec {
  const char *name;
  ElementType type;
  int32_t rank;
  int64_t shape[kMaxRank];
};

enum class InitKind : int32_t { Normal = 0, Uniform = 1, Constant = 2 };

/// A learnable tensor. All parameters of a model live in one contiguous
/// float block, `offset` floats from its start; the order is the module's
/// nn.parameter order, which is also the order of weights files.
struct ParamSpec {
  const char *name; ///< "conv1.weight", PyTorch naming
  int32_t rank;
  int64_t shape[kMaxRank]; ///< PyTorch layout: [out, in/groups, kh, kw] / [out, in] / [out]
  int64_t offset;          ///< in floats
  int64_t size;            ///< elements
  InitKind init;
  double initA; ///< mean, low bound, or the constant
  double initB; ///< standard deviation or high bound
  /// Logical device that holds it whole, or -1 when it is split in row
  /// shards over devices (see ParamShard).
  int32_t device;
};

/// A range of one parameter's floats that one device owns: the whole
/// parameter, or a shard of its rows (filters, units) after nn-partition.
/// Its gradient, momentum and SGD update live on that device too.
struct ParamShard {
  int32_t param;  ///< index into ModelDesc::params
  int64_t offset; ///< floats from the parameter's start
  int64_t size;   ///< floats
  int32_t device;
};

/// One row of `info`: a layer of the inference graph.
struct LayerSpec {
  const char *name;
  const char *op;
  int32_t rank;
  int64_t shape[kMaxRank]; ///< result shape, batch included
  int64_t parameters;
  int64_t flops; ///< forward, whole batch
  /// Activation bytes read and written for the whole batch, without fusion
  /// and as compiled (0 for a layer fused into another): see
  /// activationTraffic in ModelSummary.h.
  int64_t traffic;
  int64_t fusedTraffic;
  /// "-> conv2d_relu_lrn" on the head of a fused chain, "(in conv1)" on a
  /// layer it absorbed, "" (or null) otherwise.
  const char *fusion;
  /// The logical device that runs it in a partitioned model (nn-partition
  /// splits a layer into one row per device), else -1.
  int32_t device;
};

/// Per-device memory of one entry point.
struct DeviceMemory {
  int64_t arenaBytes; ///< planned: peak of the liveness-based packing
  int64_t naiveBytes; ///< every intermediate tensor in its own buffer
  int64_t receivedBytes; ///< copied in from other devices per run
};

class ExecContext;

/// A compiled entry point: reads ctx.input(i), writes ctx.output(i), uses
/// ctx.arena(d) as scratch and ctx.params() as the parameters.
using EntryFn = void (*)(ExecContext &ctx);

/// One device's part of a partitioned entry point (ExecContext::runDevices).
using DeviceFn = void (*)(ExecContext &ctx);

/// An entry point besides inference (`gradients`, `train_step`), with its own
/// arguments and arena needs. Argument i of the compiled function is
/// ctx.input(i) for i < numInputs, then ctx.output(i - numInputs).
struct EntryPoint {
  const char *name; ///< "gradients"
  EntryFn fn;
  const TensorSpec *inputs; ///< gradients: the model's inputs, label, seed, step, dropout
  int32_t numInputs;
  const TensorSpec *outputs; ///< gradients: "loss" (rank 0), then "<param>.grad" per parameter
  int32_t numOutputs;
  const DeviceMemory *memory; ///< numDevices entries
};

/// How learning-rate schedules react to validation error.
enum class ScheduleKind : int32_t { Constant = 0, Plateau = 1, Step = 2 };

/// The DSL's train block (the paper's defaults when the model has none).
/// momentum and weightDecay are compiled into train_step; the rest drives
/// the `train` loop.
struct TrainRecipe {
  double learningRate;
  double momentum;
  double weightDecay;
  int32_t epochs;
  ScheduleKind schedule;
  /// Plateau: lr *= factor after more than `patience` epochs in a row
  /// without a better validation top-1 error, at most maxDrops times.
  double factor;
  int32_t patience;
  int32_t maxDrops;
  /// Step: lr *= factor after every `every` epochs.
  int32_t every;
  /// Training batches get the paper's random crops, flips and PCA colour
  /// noise (the DSL's `augment = paper`); false: `augment = none`.
  bool augment;
};

struct ModelDesc {
  const char *name;      ///< the DSL model name
  const char *graphHash; ///< identifies the architecture; weights files carry it
  const char *target;    ///< "cpu" or "cuda"
  int64_t batch;
  int32_t numDevices;

  const TensorSpec *inputs; ///< inference inputs, in declaration order
  int32_t numInputs;
  const TensorSpec *outputs; ///< inference outputs (the DSL's `output`)
  int32_t numOutputs;

  const ParamSpec *params;
  int32_t numParams;
  int64_t paramFloats; ///< size of the contiguous parameter block
  const ParamShard *shards; ///< every parameter's pieces, in parameter order
  int32_t numShards;

  const LayerSpec *layers;
  int32_t numLayers;

  EntryFn inference;
  const DeviceMemory *inferenceMemory; ///< numDevices entries

  /// Loss and parameter gradients (nn-autodiff's @gradients); nullptr when
  /// the model declares no loss or was compiled --training=false.
  const EntryPoint *gradients;
  /// One SGD step in place on ctx.params() and ctx.momentum() (the momentum
  /// block mirrors the parameter block: `<p>.momentum` at p's offset).
  /// Inputs: the model's inputs, label, lr, seed, step, dropout; output:
  /// "loss". nullptr like `gradients`.
  const EntryPoint *trainStep;
  TrainRecipe train;
};

/// The executable's main: parses the subcommand and runs it. Returns the
/// process exit status (0 ok, 1 error, 2 usage).
int runMain(int argc, char **argv, const ModelDesc &model);

/// Whether the executable was compiled for CUDA (ModelDesc::target is
/// "cuda"; the CUDA simulator's builds say "cuda" too): the runtime's one
/// reading of the target's name.
inline bool compiledForCuda(const ModelDesc &model) {
  return std::string_view(model.target) == "cuda";
}

/// The host BLAS's thread setter (cpu::setBlasThreads), installed by the
/// CPU target's main before runMain: the runtime itself references no BLAS,
/// so a CUDA executable links none.
void installBlasThreads(void (*setThreads)(int));

} // namespace alexnet::runtime

#endif // ALEXNET_RUNTIME_MODEL_H
