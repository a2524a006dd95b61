//===- CompileMain.cpp - The alexnet-compile driver -----------------------===//
//
// Reads a .nn model, runs the front end (which prints every DSL error with
// file:line:col), builds the nn module and stops at the stage `--emit` asks
// for.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Tools/CompileMain.h"
#include "alexnet/Analysis/ModelSummary.h"
#include "alexnet/Frontend/Diagnostics.h"
#include "alexnet/Frontend/Frontend.h"
#include "alexnet/Frontend/MLIRGen.h"
#include "alexnet/Pipeline/Pipeline.h"
#include "alexnet/Target/BuildExecutable.h"
#include "alexnet/Target/Cpu.h"
#include "alexnet/Target/Cuda.h"
#include "alexnet/Target/Dot.h"
#include "alexnet/Target/TargetDescription.h"
#include "alexnet/Tools/Registration.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"

#include <iostream>

using namespace mlir;
using namespace alexnet;
namespace cl = llvm::cl;

namespace {

/// The largest batch alexnet-compile takes. The lowering emits per-image
/// convolution steps (im2col, GEMMs), so compile time and memory grow with
/// the batch: measured on 2 cores, lenet5 at 65,536 takes 14 s and 0.77 GB
/// to C++, alexnet at 8,192 8.5 s and 0.66 GB; the frontend's own bound,
/// shape::kMaxDim (16,777,216), would need ~170 GB.
constexpr int64_t kMaxCompileBatch = 65536;

enum class EmitKind { NN, Graph, Summary, Dot, Lowered, Cpp, Exe };
enum class Granularity { Coarse, Fine };
enum class ConvBackward { PerImage, Batched };

/// The compiler's own options: --help lists only these (MLIR's debugging
/// options, e.g. --mlir-print-ir-after-all, still work; --help-hidden
/// lists them).
cl::OptionCategory &category() {
  static cl::OptionCategory options("alexnet-compile options");
  return options;
}

/// --target's help, from the targets' table: "cpu (...), cuda (...) or ...".
llvm::StringRef targetHelp() {
  static const std::string help = [] {
    std::string text;
    llvm::ArrayRef<TargetDescription> targets = allTargets();
    for (size_t i = 0; i < targets.size(); ++i) {
      if (i)
        text += i + 1 == targets.size() ? " or " : ", ";
      text += (targets[i].name + " (" + targets[i].summary + ")").str();
    }
    return text;
  }();
  return help;
}

struct Options {
  cl::opt<std::string> input{cl::Positional, cl::desc("<model.nn>"),
                             cl::Required, cl::cat(category())};
  cl::opt<std::string> output{
      "o",
      cl::desc("Output file (default: stdout for text, the model's file "
               "name without .nn for an executable)"),
      cl::value_desc("file"), cl::cat(category())};
  cl::opt<EmitKind> emit{
      "emit", cl::desc("Stage to stop at (default: exe)"),
      cl::init(EmitKind::Exe),
      cl::values(
          clEnumValN(EmitKind::NN, "nn", "the nn dialect module"),
          clEnumValN(EmitKind::Graph, "graph",
                     "the nn module after the graph passes (partition, "
                     "autodiff, fuse)"),
          clEnumValN(EmitKind::Summary, "summary",
                     "per-layer shapes, parameters and FLOPs"),
          clEnumValN(EmitKind::Dot, "dot", "the inference graph for Graphviz"),
          clEnumValN(EmitKind::Lowered, "lowered", "the planned exec module"),
          clEnumValN(EmitKind::Cpp, "cpp",
                     "the generated C++ (CUDA C++ for --target=cuda and "
                     "cuda-sim)"),
          clEnumValN(EmitKind::Exe, "exe", "a standalone executable")),
      cl::cat(category())};
  cl::opt<std::string> target{"target", cl::desc(targetHelp()),
                              cl::init("cpu"), cl::cat(category())};
  cl::opt<bool> tf32{"tf32",
                     cl::desc("CUDA: let cuBLAS use TF32 tensor cores for the "
                              "GEMMs (faster, 10-bit mantissas)"),
                     cl::cat(category())};
  cl::list<std::string> cudaArch{
      "cuda-arch",
      cl::desc("CUDA: GPU architectures to build for (default 80,90: sm_80 "
               "and sm_90)"),
      cl::value_desc("N,..."), cl::CommaSeparated, cl::cat(category())};
  cl::list<std::string> cxxFlags{
      "Xcxx", cl::desc("Extra flag for the C++ compiler (e.g. -march=native)"),
      cl::value_desc("flag"), cl::cat(category())};
  cl::opt<bool> keepSource{
      "keep-source",
      cl::desc("Keep the generated C++ as <output>.cpp (CUDA: <output>.cu)"),
      cl::cat(category())};
  cl::opt<bool> verbose{"v",
                        cl::desc("Print the C++ compiler (or nvcc) command"),
                        cl::cat(category())};
  cl::opt<cl::boolOrDefault> training{
      "training",
      cl::desc("Compile the loss, its gradients and the SGD step (the "
               "executable's grad, step, train); default: when the model "
               "has a `loss`. --training=false compiles inference only"),
      cl::cat(category())};
  cl::opt<bool> noFuse{
      "no-fuse",
      cl::desc("Do not run nn-fuse (conv+ReLU+LRN, conv+ReLU, dense+ReLU and "
               "the ReLU gradients stay separate kernels)"),
      cl::cat(category())};
  cl::opt<bool> printFusions{
      "print-fusions",
      cl::desc("Report on stderr each fusion nn-fuse made and each it "
               "refused, with the reason"),
      cl::cat(category())};
  cl::opt<int64_t> devices{
      "devices",
      cl::desc("Split the model over N logical devices (nn-partition): "
               "worker threads on the CPU, GPUs (or streams of one GPU) on "
               "CUDA"),
      cl::value_desc("N"), cl::init(1), cl::cat(category())};
  cl::opt<std::string> parallel{
      "parallel",
      cl::desc("With --devices: model (split every layer, the paper's "
               "towers) or hybrid (data-parallel convolutions)"),
      cl::init("model"), cl::cat(category())};
  cl::opt<Granularity> kernelGranularity{
      "kernel-granularity",
      cl::desc("Work per kernel index (results are bit-identical)"),
      cl::values(clEnumValN(Granularity::Coarse, "coarse",
                            "a CPU thread's share: a plane, a row, 16 pixels "
                            "(the CPU's default)"),
                 clEnumValN(Granularity::Fine, "fine",
                            "an element or a pixel (CUDA's default)")),
      cl::cat(category())};
  cl::opt<ConvBackward> convBackward{
      "conv-backward",
      cl::desc("How convolution gradients are lowered"),
      cl::values(clEnumValN(ConvBackward::PerImage, "per-image",
                            "one image at a time (the CPU's default)"),
                 clEnumValN(ConvBackward::Batched, "batched",
                            "the whole batch in one GEMM per group and "
                            "gradient (CUDA's default)")),
      cl::cat(category())};
  cl::opt<int64_t> im2colBudget{
      "im2col-budget",
      cl::desc("Bytes of one image's im2col matrix above which a "
               "convolution unfolds one image at a time (default: 2 MiB on "
               "the CPU, unlimited on CUDA)"),
      cl::value_desc("bytes"), cl::init(-1), cl::cat(category())};
  cl::opt<int64_t> batch{"batch",
                         cl::desc("Batch size (overrides the model's batch)"),
                         cl::value_desc("N"), cl::init(0), cl::cat(category())};
};

int error(const llvm::Twine &message) {
  llvm::errs() << "alexnet-compile: error: " << message << "\n";
  return 1;
}

/// Writes text output to -o (stdout by default).
int emitText(const Options &options,
             llvm::function_ref<LogicalResult(llvm::raw_ostream &)> write) {
  std::string message;
  std::string path = options.output.getNumOccurrences()
                         ? options.output.getValue()
                         : std::string("-");
  std::unique_ptr<llvm::ToolOutputFile> out = openOutputFile(path, &message);
  if (!out)
    return error(message);
  if (failed(write(out->os())))
    return 1;
  out->keep();
  return 0;
}

/// The DSL position inside a location (a layer's NameLoc wraps it; a fused
/// op's FusedLoc holds its layers').
std::optional<FileLineColLoc> sourcePosition(Location loc) {
  std::optional<FileLineColLoc> found;
  loc->walk([&](Location part) {
    if (auto position = dyn_cast<FileLineColLoc>(part)) {
      found = position;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

/// The layer name of the NameLoc that wraps `position`, if any: the text an
/// error underlines.
StringRef layerAt(Location loc, FileLineColLoc position) {
  StringRef name;
  loc->walk([&](Location part) {
    auto named = dyn_cast<NameLoc>(part);
    if (named && named.getChildLoc() == position) {
      name = named.getName().getValue();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

/// Prints the passes' diagnostics against the DSL source: errors and their
/// notes as the front end's (`file:line:col: error: ...`, the layer's line
/// echoed, its name underlined), remarks (--print-fusions) and warnings (an
/// idle device) as one `file:line:col: remark: ...` line. A diagnostic with
/// no position in the model keeps MLIR's default printing.
struct SourceDiagnosticPrinter {
  StringRef fileName;
  alexnet::frontend::DiagnosticEngine source;

  LogicalResult operator()(Diagnostic &diag) {
    std::optional<FileLineColLoc> at = sourcePosition(diag.getLocation());
    if (diag.getSeverity() == DiagnosticSeverity::Error) {
      if (!at || at->getFilename().getValue() != fileName)
        return failure();
      llvm::errs() << render(diag.getLocation(), *at, "error", diag.str());
      for (Diagnostic &note : diag.getNotes()) {
        // The op's generic IR (--mlir-print-op-on-diagnostic) means nothing
        // against the DSL; --mlir-print-ir-after-failure shows it.
        if (StringRef(note.str()).starts_with("see current operation: "))
          continue;
        std::optional<FileLineColLoc> noteAt =
            sourcePosition(note.getLocation());
        if (noteAt && noteAt->getFilename().getValue() == fileName)
          llvm::errs() << render(note.getLocation(), *noteAt, "note",
                                 note.str());
        else
          llvm::errs() << fileName << ": note: " << note.str() << "\n";
      }
      return success();
    }
    bool warning = diag.getSeverity() == DiagnosticSeverity::Warning;
    if (diag.getSeverity() != DiagnosticSeverity::Remark && !warning)
      return failure();
    if (at)
      llvm::errs() << at->getFilename().getValue() << ":" << at->getLine()
                   << ":" << at->getColumn() << ": ";
    llvm::errs() << (warning ? "warning: " : "remark: ") << diag.str() << "\n";
    return success();
  }

  std::string render(Location loc, FileLineColLoc at, StringRef severity,
                     const std::string &message) {
    alexnet::frontend::SourceRange range;
    range.line = at.getLine();
    range.column = at.getColumn();
    range.length = std::max<uint32_t>(layerAt(loc, at).size(), 1);
    return source.render(range, severity.str(), message);
  }
};

/// Where the output goes: -o, else stdout for text and the model's name
/// without .nn for an executable.
std::string outputPath(const Options &options) {
  if (options.output.getNumOccurrences())
    return options.output.getValue();
  if (options.emit != EmitKind::Exe)
    return "-";
  return llvm::sys::path::stem(options.input).str();
}

/// An error when the output is the model's source file (through a link or
/// another spelling too): writing it would destroy the source.
std::optional<std::string> outputIsInput(const Options &options) {
  std::string output = outputPath(options);
  bool same = false;
  if (output == "-" ||
      llvm::sys::fs::equivalent(options.input.getValue(), output, same) ||
      !same)
    return std::nullopt;
  return "output '" + output + "' is the same file as the input '" +
         options.input.getValue() +
         "': writing it would destroy the model; choose another -o";
}

LogicalResult printModule(ModuleOp module, llvm::raw_ostream &os) {
  module.print(os);
  os << "\n";
  return success();
}

} // namespace

int alexnet::compileMain(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  Options options;
  cl::HideUnrelatedOptions(category());
  cl::ParseCommandLineOptions(argc, argv,
                              "alexnet-compile: compile a .nn model\n");

  std::optional<int64_t> batch;
  if (options.batch.getNumOccurrences()) {
    if (options.batch < 1 || options.batch > kMaxCompileBatch)
      return error("expected --batch between 1 and " +
                   llvm::Twine(kMaxCompileBatch) + ", got " +
                   llvm::Twine(options.batch) +
                   " (compile time and memory grow with the batch: the "
                   "lowering emits each image's convolution steps)");
    batch = options.batch;
  }

  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> source =
      openInputFile(options.input, &message);
  if (!source)
    return error(message);
  if (std::optional<std::string> same = outputIsInput(options))
    return error(*same);

  std::optional<frontend::Graph> graph = frontend::parseModel(
      options.input, source->getBuffer(), batch, std::cerr);
  if (!graph)
    return 1;
  // The model's own `batch = N` costs the same to compile.
  if (graph->batch > kMaxCompileBatch)
    return error("model '" + graph->modelName + "' has batch = " +
                 llvm::Twine(graph->batch) + ", expected between 1 and " +
                 llvm::Twine(kMaxCompileBatch) + " (compile time and memory "
                 "grow with the batch); give a smaller --batch");

  DialectRegistry registry;
  registerDialects(registry);
  MLIRContext context(registry);
  SourceDiagnosticPrinter printer{
      options.input.getValue(),
      frontend::DiagnosticEngine(options.input.getValue(),
                                 std::string_view(source->getBuffer()),
                                 nullptr)};
  ScopedDiagnosticHandler diagnostics(
      &context, [&](Diagnostic &diag) { return printer(diag); });
  OwningOpRef<ModuleOp> module = frontend::buildModule(context, *graph);
  if (!module)
    return 1;

  const TargetDescription *target = lookupTarget(options.target);
  if (!target)
    return error("expected " + listTargetFlags() + ", got '" +
                 options.target + "'");
  PipelineOptions pipeline;
  pipeline.target = target->kind;
  bool hasLoss = module->lookupSymbol("loss");
  if (options.training == cl::BOU_TRUE && !hasLoss)
    return error("--training needs a `loss` statement in model '" +
                 graph->modelName + "'");
  pipeline.training = options.training == cl::BOU_UNSET
                          ? hasLoss
                          : options.training == cl::BOU_TRUE;
  pipeline.fuse = !options.noFuse;
  pipeline.fusionRemarks = options.printFusions;
  if (options.devices < 1)
    return error("expected --devices >= 1, got " +
                 llvm::Twine(int64_t(options.devices)));
  if (options.parallel != "model" && options.parallel != "hybrid")
    return error("expected --parallel=model or --parallel=hybrid, got '" +
                 options.parallel + "'");
  if (!target->emitsCuda && options.tf32)
    return error("--tf32 needs --target=cuda or --target=cuda-sim");
  if (!target->buildsWithNvcc && !options.cudaArch.empty())
    return error("--cuda-arch needs --target=cuda (the simulator has no GPU "
                 "architectures)");
  for (const std::string &arch : options.cudaArch) {
    unsigned sm = 0;
    if (llvm::StringRef(arch).getAsInteger(10, sm) || sm < 75 || sm > 999)
      return error("expected --cuda-arch values like 80 or 90 (sm_75 and "
                   "newer), got '" + arch + "'");
  }
  if (options.convBackward.getNumOccurrences())
    pipeline.batchBackward = options.convBackward == ConvBackward::Batched;
  if (options.im2colBudget.getNumOccurrences()) {
    if (options.im2colBudget < 0)
      return error("expected --im2col-budget >= 0, got " +
                   llvm::Twine(int64_t(options.im2colBudget)));
    pipeline.im2colBudget = options.im2colBudget;
  }
  pipeline.devices = options.devices;
  pipeline.parallel = options.parallel;

  if (options.emit == EmitKind::NN || options.emit == EmitKind::Dot)
    return emitText(options, [&](llvm::raw_ostream &os) -> LogicalResult {
      if (options.emit == EmitKind::NN)
        return printModule(*module, os);
      return translateToDot(*module, os);
    });
  if (options.emit == EmitKind::Summary || options.emit == EmitKind::Graph)
    return emitText(options, [&](llvm::raw_ostream &os) -> LogicalResult {
      // The graph as it will be compiled (partitioned, fused, with its
      // training step): the summary's traffic columns compare it with
      // unfused.
      PassManager graphPasses(&context);
      buildGraphPipeline(graphPasses, pipeline);
      if (failed(graphPasses.run(*module)))
        return failure();
      if (options.emit == EmitKind::Graph)
        return printModule(*module, os);
      FailureOr<ModelSummary> summary = summarizeModel(*module);
      if (failed(summary))
        return failure();
      printModelSummary(*summary, os);
      return success();
    });

  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  buildLoweringPipeline(pm, pipeline);
  if (failed(pm.run(*module)))
    return 1;
  if (options.emit == EmitKind::Lowered)
    return emitText(options, [&](llvm::raw_ostream &os) {
      return printModule(*module, os);
    });

  std::string cpp;
  llvm::raw_string_ostream cppStream(cpp);
  bool fine = options.kernelGranularity.getNumOccurrences()
                  ? options.kernelGranularity == Granularity::Fine
                  : target->fineKernels;
  CudaTargetOptions cudaOptions;
  cudaOptions.tf32 = options.tf32;
  cudaOptions.fineKernels = fine;
  cudaOptions.simulator = target->kind == TargetKind::CudaSim;
  if (failed(target->emitsCuda ? translateToCuda(*module, cudaOptions, cppStream)
                  : translateToCpp(*module, cppStream, fine)))
    return 1;
  if (options.emit == EmitKind::Cpp)
    return emitText(options, [&](llvm::raw_ostream &os) {
      os << cpp;
      return success();
    });

  BuildOptions build;
  build.compilerPath = llvm::sys::fs::getMainExecutable(
      argv[0], reinterpret_cast<void *>(&alexnet::compileMain));
  build.target = target->kind;
  if (!options.cudaArch.empty())
    build.cudaArchs.assign(options.cudaArch.begin(), options.cudaArch.end());
  build.extraFlags.assign(options.cxxFlags.begin(), options.cxxFlags.end());
  build.keepSource = options.keepSource;
  build.verbose = options.verbose;
  std::string exe = options.output.getNumOccurrences()
                        ? options.output.getValue()
                        : llvm::sys::path::stem(options.input).str();
  return failed(buildExecutable(cpp, exe, build)) ? 1 : 0;
}
