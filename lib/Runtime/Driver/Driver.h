//===- Driver.h - The emitted executable's subcommands ----------*- C++ -*-===//
//
// runMain (Model.h) is a thin wrapper over runDriver, which takes its
// streams as arguments so tests can capture what a command prints. Each
// subcommand is one function taking an Invocation; they share the flag
// parser of DriverArgs.h and report failures through Invocation::fail
// ("<program>: error: <message>", exit status 1) or usageError (plus a
// usage line, exit status 2).
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_DRIVER_DRIVER_H
#define ALEXNET_LIB_RUNTIME_DRIVER_DRIVER_H

#include "alexnet/Runtime/Model.h"
#include "IO/Npy.h"
#include "Core/Status.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// A subcommand's view of one run of the executable.
struct Invocation {
  const ModelDesc &model;
  std::string program;           ///< argv[0] without its directory
  const char *usage;             ///< the subcommand's usage, after the program
  std::vector<std::string> args; ///< the words after the subcommand
  std::ostream &out;
  std::ostream &err;

  /// Prints "<program>: error: <message>" to `err`.
  void error(const std::string &message) const;
  /// error(message); returns exit status 1.
  int fail(const std::string &message) const;
  int fail(const Status &status) const { return fail(status.message()); }
  /// error(message) and the usage line; returns exit status 2.
  int usageError(const std::string &message) const;
  /// Prints the usage line to `out`; returns 0.
  int printUsage() const;
};

using CommandFn = int (*)(const Invocation &);

/// One subcommand: its name, usage (flags only) and a one-line summary.
struct Command {
  const char *name;
  const char *usage;
  const char *summary;
  CommandFn run;
};

/// Every subcommand, in the order --help lists them.
const std::vector<Command> &driverCommands();

/// Runs the executable on `argv` (argv[0] first) and returns its exit
/// status. Never throws: running out of memory is an error like any other.
int runDriver(const std::vector<std::string> &argv, const ModelDesc &model,
              std::ostream &out, std::ostream &err);

int runInitCommand(const Invocation &inv);
int runImportCommand(const Invocation &inv);
int runExportCommand(const Invocation &inv);
int runInferCommand(const Invocation &inv);
int runPredictCommand(const Invocation &inv);
int runBenchCommand(const Invocation &inv);
int runInfoCommand(const Invocation &inv);
int runGradCommand(const Invocation &inv);
int runStepCommand(const Invocation &inv);
int runTrainCommand(const Invocation &inv);
int runEvalCommand(const Invocation &inv);

/// Reads the .npy at `path` as the batch for model input `spec`: float32 for
/// an f32 input, int32 or int64 (read as int32) for an i32 one, and exactly
/// the input's shape. Errors start with the path and quote what was
/// expected.
Expected<NpyArray> loadInputBatch(const std::string &path,
                                  const TensorSpec &spec, int64_t batch);

/// Sets the number of threads OpenBLAS uses inside one GEMM: each logical
/// device's share of `threads`, as its ExecContext pool gets. OpenBLAS's
/// count is global; with several devices calling GEMMs at once, each call
/// uses that share (one thread each on two cores: no locking between them).
/// Nothing without a host BLAS (installBlasThreads, Model.h): the CUDA
/// target's executables, which link no OpenBLAS.
void applyBlasThreads(const ModelDesc &model, int threads);

/// "60,965,224".
std::string withThousands(int64_t value);

/// "128x3x224x224".
std::string formatDims(const int64_t *shape, int32_t rank);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_DRIVER_DRIVER_H
