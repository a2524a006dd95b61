//===- CompileMain.cpp - The alexnet-compile driver -----------------------===//
//
// Reads a .nn model, runs the front end (which prints every DSL error with
// file:line:col), builds the nn module and stops at the stage `--emit` asks
// for.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Tools/CompileMain.h"
#include "alexnet/Analysis/ModelSummary.h"
#include "alexnet/Frontend/Frontend.h"
#include "alexnet/Frontend/MLIRGen.h"
#include "alexnet/Tools/Registration.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

#include <iostream>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class EmitKind { NN, Summary };

struct Options {
  cl::opt<std::string> input{cl::Positional, cl::desc("<model.nn>"),
                             cl::Required};
  cl::opt<std::string> output{"o", cl::desc("Output file (default: stdout)"),
                              cl::value_desc("file"), cl::init("-")};
  cl::opt<EmitKind> emit{
      "emit", cl::desc("Stage to stop at"), cl::init(EmitKind::NN),
      cl::values(clEnumValN(EmitKind::NN, "nn", "the nn dialect module"),
                 clEnumValN(EmitKind::Summary, "summary",
                            "per-layer shapes, parameters and FLOPs"))};
  cl::opt<int64_t> batch{"batch",
                         cl::desc("Batch size (overrides the model's batch)"),
                         cl::value_desc("N"), cl::init(0)};
};

int error(const llvm::Twine &message) {
  llvm::errs() << "alexnet-compile: error: " << message << "\n";
  return 1;
}

} // namespace

int alexnet::compileMain(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  Options options;
  cl::ParseCommandLineOptions(argc, argv,
                              "alexnet-compile: compile a .nn model\n");

  std::optional<int64_t> batch;
  if (options.batch.getNumOccurrences()) {
    if (options.batch < 1 || options.batch > shape::kMaxDim)
      return error("expected --batch in [1, " + llvm::Twine(shape::kMaxDim) +
                   "], got " + llvm::Twine(options.batch));
    batch = options.batch;
  }

  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> source =
      openInputFile(options.input, &message);
  if (!source)
    return error(message);

  std::optional<frontend::Graph> graph = frontend::parseModel(
      options.input, source->getBuffer(), batch, std::cerr);
  if (!graph)
    return 1;

  DialectRegistry registry;
  registerDialects(registry);
  MLIRContext context(registry);
  OwningOpRef<ModuleOp> module = frontend::buildModule(context, *graph);
  if (!module)
    return 1;

  std::unique_ptr<llvm::ToolOutputFile> out =
      openOutputFile(options.output, &message);
  if (!out)
    return error(message);
  switch (options.emit) {
  case EmitKind::NN:
    module->print(out->os());
    out->os() << "\n";
    break;
  case EmitKind::Summary: {
    FailureOr<ModelSummary> summary = summarizeModel(*module);
    if (failed(summary))
      return 1;
    printModelSummary(*summary, out->os());
    break;
  }
  }
  out->keep();
  return 0;
}
