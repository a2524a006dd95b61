//===- Driver.cpp - The emitted executable's main -------------------------===//
//
// Dispatches argv[1] to a subcommand. Generated code calls runMain from its
// main(); everything the user sees (help, usage errors, error messages,
// exit statuses) is decided here and in the Driver*.cpp commands.
//
//===----------------------------------------------------------------------===//

#include "Driver/Driver.h"

#include <algorithm>

#include "alexnet/Runtime/DeviceBackend.h"
#include "Driver/DriverArgs.h"

#include <exception>
#include <iostream>
#include <new>

namespace alexnet::runtime {

void Invocation::error(const std::string &message) const {
  err << program << ": error: " << message << "\n";
  err.flush();
}

int Invocation::fail(const std::string &message) const {
  error(message);
  return 1;
}

int Invocation::usageError(const std::string &message) const {
  error(message);
  err << "usage: " << program << " " << usage << "\n";
  return 2;
}

int Invocation::printUsage() const {
  out << "usage: " << program << " " << usage << "\n";
  return 0;
}

const std::vector<Command> &driverCommands() {
  static const std::vector<Command> commands = {
      {"init", "init --seed S -o W.axw",
       "write freshly initialised weights (the paper's initialisers)",
       runInitCommand},
      {"import", "import --npz W.npz -o W.axw [--allow-nonfinite]",
       "convert PyTorch-named float32 arrays to a weights file",
       runImportCommand},
      {"export", "export --weights W.axw --npz W.npz",
       "write a weights file's tensors as PyTorch-named arrays",
       runExportCommand},
      {"infer",
       "infer --weights W.axw --input X.npy --output Y.npy [--threads N]",
       "run inference on a batch stored as .npy", runInferCommand},
      {"predict",
       "predict --weights W.axw [--top K] [--labels FILE] [--threads N] "
       "IMAGE...",
       "classify JPEG or PNG images", runPredictCommand},
      {"grad",
       "grad --weights W.axw --input X.npy --labels L.npy --npz G.npz "
       "[--no-dropout] [--seed S] [--step N] [--threads N]",
       "write the loss and every parameter's gradient on one batch",
       runGradCommand},
      {"step",
       "step --weights W.axw --input X.npy --labels L.npy --steps K --lr LR "
       "-o W2.axw [--no-dropout] [--seed S] [--threads N]",
       "run K SGD steps (momentum, weight decay) on one batch",
       runStepCommand},
      {"train",
       "train --data PATH [--format auto|idx|cifar|imagenet] [--epochs E] "
       "[--lr LR] [--checkpoint-dir D [--resume|--overwrite] "
       "[--checkpoint-every N]] "
       "[--seed S] [--metrics M.csv] [-o W.axw] [--init W.axw "
       "[--allow-nonfinite]] "
       "[--max-steps N] [--augment|--no-augment] [--no-shuffle] "
       "[--no-validation] "
       "[--threads N] [--loader-threads N]",
       "train on a data set (defaults from the model's train block)",
       runTrainCommand},
      {"eval",
       "eval --data PATH --weights W.axw [--ten-crop] [--format F] "
       "[--stats-cache DIR] [--threads N] [--loader-threads N]",
       "top-1 and top-5 error on a data set's test split",
       runEvalCommand},
      {"bench",
       "bench [--train] [--iters N] [--warmup K] [--threads N] [--profile]",
       "time inference (or a training step) on random data", runBenchCommand},
      {"info", "info", "describe the model: layers, parameters, memory",
       runInfoCommand},
  };
  return commands;
}

namespace {

std::string baseName(const std::string &path) {
  size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return name.empty() ? "alexnet" : name;
}

void printHelp(std::ostream &out, const std::string &program,
               const ModelDesc &model) {
  out << "usage: " << program << " <command> [options]\n\n"
      << "Model '" << model.name << "' compiled by alexnet-compile (target "
      << model.target << ", batch " << model.batch << ").\n\n"
      << "commands:\n";
  for (const Command &c : driverCommands()) {
    std::string name = c.name;
    out << "  " << name << std::string(10 - name.size(), ' ') << c.summary
        << "\n";
  }
  out << "\nRun '" << program << " <command> --help' for its options; "
      << "--threads defaults to the number of hardware threads.\n";
  if (compiledForCuda(model))
    out << "Every command that runs the model also takes --cuda-graph=on|off "
           "(default off):\ncapture each entry point into a CUDA graph on its "
           "second run (the first runs\neagerly) and replay it after.\n";
}

/// Takes the device options (`--cuda-graph=on|off`, CUDA target only) out
/// of a command's arguments.
Status takeDeviceOptions(std::vector<std::string> &args,
                         const ModelDesc &model) {
  const std::string flag = "--cuda-graph";
  for (auto it = args.begin(); it != args.end();) {
    if (it->compare(0, flag.size(), flag) != 0) {
      ++it;
      continue;
    }
    if (!compiledForCuda(model))
      return Status::error(flag + " needs an executable compiled with "
                                    "--target=cuda (this one is " +
                             model.target + ")");
    std::string value = it->substr(flag.size());
    if (value != "" && value != "=on" && value != "=off")
      return Status::error("expected --cuda-graph=on or --cuda-graph=off, "
                             "got " + quoteText(*it));
    deviceOptions().graphs = value != "=off";
    it = args.erase(it);
  }
  return Status::success();
}

int dispatch(const std::vector<std::string> &argv, const ModelDesc &model,
             std::ostream &out, std::ostream &err) {
  std::string program = baseName(argv.empty() ? "" : argv[0]);
  Invocation top{model, program, "<command> [options] (see --help)",
                 {},    out,     err};
  if (argv.size() < 2)
    return top.usageError("expected a command");
  const std::string &name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    printHelp(out, program, model);
    return 0;
  }
  for (const Command &c : driverCommands()) {
    if (name != c.name)
      continue;
    Invocation inv{
        model,   program,
        c.usage, std::vector<std::string>(argv.begin() + 2, argv.end()),
        out,     err};
    if (wantsHelp(inv.args))
      return inv.printUsage();
    if (Status s = takeDeviceOptions(inv.args, model); !s.ok())
      return inv.usageError(s.message());
    return c.run(inv);
  }
  return top.usageError("unknown command " + quoteText(name));
}

} // namespace

int runDriver(const std::vector<std::string> &argv, const ModelDesc &model,
              std::ostream &out, std::ostream &err) {
  // The runtime reports errors as values; only allocation failures (huge
  // shapes, a hostile file) and library bugs can throw.
  std::string program = baseName(argv.empty() ? "" : argv[0]);
  try {
    int status = dispatch(argv, model, out, err);
    out.flush();
    return status;
  } catch (const DeviceUnavailable &e) {
    err << program << ": error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc &) {
    err << program << ": error: out of memory\n";
  } catch (const std::exception &e) {
    err << program << ": error: " << e.what() << "\n";
  }
  return 1;
}

int runMain(int argc, char **argv, const ModelDesc &model) {
  std::vector<std::string> args(argv, argv + argc);
  int status = runDriver(args, model, std::cout, std::cerr);
  std::cout.flush();
  if (!std::cout) {
    std::cerr << baseName(args.empty() ? "" : args[0])
              << ": error: cannot write to standard output\n";
    return 1;
  }
  return status;
}

namespace {
void (*setBlasThreads)(int) = nullptr;
} // namespace

void installBlasThreads(void (*setThreads)(int)) {
  setBlasThreads = setThreads;
}

void applyBlasThreads(const ModelDesc &model, int threads) {
  int devices = std::max(1, model.numDevices);
  if (setBlasThreads)
    setBlasThreads(std::max(1, threads / devices));
}

std::string withThousands(int64_t value) {
  std::string digits =
      std::to_string(value < 0 ? -(uint64_t)value : (uint64_t)value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string formatDims(const int64_t *shape, int32_t rank) {
  if (rank == 0)
    return "scalar";
  std::string out;
  for (int32_t i = 0; i < rank; ++i)
    out += (i ? "x" : "") + std::to_string(shape[i]);
  return out;
}

} // namespace alexnet::runtime
