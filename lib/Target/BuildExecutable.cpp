//===- BuildExecutable.cpp - Compile and link emitted source --------------===//

#include "alexnet/Target/BuildExecutable.h"
#include "alexnet/Target/ToolchainConfig.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir;
using namespace alexnet;

namespace {

LogicalResult fail(const llvm::Twine &message) {
  llvm::errs() << "alexnet-compile: error: " << message << "\n";
  return failure();
}

std::vector<std::string> splitFlags(llvm::StringRef flags) {
  llvm::SmallVector<llvm::StringRef> parts;
  flags.split(parts, ' ', -1, /*KeepEmpty=*/false);
  return {parts.begin(), parts.end()};
}

} // namespace

LogicalResult alexnet::buildExecutable(llvm::StringRef source,
                                       llvm::StringRef output,
                                       const BuildOptions &options) {
  // <prefix>/bin/alexnet-compile -> <prefix>/include, <prefix>/lib.
  llvm::SmallString<256> prefix(options.compilerPath);
  llvm::sys::path::remove_filename(prefix);
  llvm::sys::path::remove_filename(prefix);
  // nvcc builds the CUDA target; the host C++ compiler the CPU target and
  // the CUDA simulator's build of the CUDA target's source.
  const TargetDescription &target = getTarget(options.target);
  bool cuda = target.buildsWithNvcc;
  bool simulator = target.kind == TargetKind::CudaSim;
  if (cuda && !*ALEXNET_NVCC)
    return fail("this alexnet-compile was built without a CUDA toolkit (no "
                "nvcc and cuBLAS at configure time): --target=cuda can emit "
                "source (--emit=cpp) but not build executables; "
                "--target=cuda-sim builds it for the CUDA simulator");
  llvm::SmallString<256> include(prefix), lib(prefix);
  llvm::sys::path::append(include, "include");
  llvm::sys::path::append(lib, "lib");
  // Another build of the runtime's archives (scripts/sanitize-sim.sh links
  // sanitizer builds of them).
  if (const char *dir = std::getenv("ALEXNET_RUNTIME_LIBDIR"); dir && *dir)
    lib = dir;
  auto inLib = [&](llvm::StringRef name) {
    llvm::SmallString<256> path(lib);
    llvm::sys::path::append(path, name);
    return path.str().str();
  };
  std::string archive = inLib(ALEXNET_RUNTIME_ARCHIVE);
  llvm::SmallString<256> header(include);
  llvm::sys::path::append(header, "alexnet", "Runtime", "Model.h");
  if (!llvm::sys::fs::exists(header) || !llvm::sys::fs::exists(archive))
    return fail("cannot find the runtime next to alexnet-compile (looked for " +
                header + " and " + archive + ")");
  // The backend's archives, linked before the runtime's.
  std::vector<std::string> backend;
  if (cuda)
    backend.push_back(inLib(ALEXNET_CUDA_RUNTIME_ARCHIVE));
  if (simulator)
    for (const std::string &name : splitFlags(ALEXNET_CUDASIM_RUNTIME_ARCHIVES))
      backend.push_back(inLib(name));
  for (const std::string &path : backend)
    if (!llvm::sys::fs::exists(path))
      return fail(llvm::Twine("cannot find the ") +
                  (cuda ? "CUDA runtime" : "CUDA simulator") +
                  " next to alexnet-compile (looked for " + path + ")");

  llvm::StringRef extension = target.emitsCuda ? "cu" : "cpp";
  llvm::SmallString<256> sourcePath;
  if (options.keepSource) {
    sourcePath = output;
    sourcePath += "." + extension.str();
  } else if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
                 "alexnet", extension, sourcePath)) {
    return fail("cannot create a temporary file: " + ec.message());
  }
  {
    std::error_code ec;
    llvm::raw_fd_ostream file(sourcePath, ec);
    if (ec)
      return fail("cannot write " + sourcePath + ": " + ec.message());
    file << source;
  }

  const char *compilerName = cuda ? ALEXNET_NVCC : ALEXNET_CXX_COMPILER;
  auto compiler = llvm::sys::findProgramByName(compilerName);
  if (!compiler)
    return fail(llvm::Twine("cannot find the ") + (cuda ? "CUDA" : "C++") +
                " compiler '" + compilerName + "'");
  std::vector<std::string> args = {*compiler};
  for (const std::string &flag : splitFlags(ALEXNET_CXX_FLAGS)) {
    // nvcc takes the language and optimisation flags itself and hands the
    // rest to the host compiler.
    bool own = flag.rfind("-std=", 0) == 0 || flag.rfind("-O", 0) == 0 ||
               flag.rfind("-D", 0) == 0;
    args.push_back(cuda && !own ? "-Xcompiler=" + flag : flag);
  }
  if (cuda) {
    // Static cudart: the executable runs where no toolkit is on the loader's
    // path (cuBLAS, loaded at run time, has its own).
    args.push_back("--cudart=static");
    for (const std::string &arch : options.cudaArchs)
      args.push_back("-gencode=arch=compute_" + arch + ",code=sm_" + arch);
  }
  for (const std::string &flag : options.extraFlags)
    args.push_back(cuda ? "-Xcompiler=" + flag : flag);
  if (simulator) {
    // The simulator's cuda_runtime.h and cublas_v2.h, never the toolkit's.
    llvm::SmallString<256> toolkit(include);
    llvm::sys::path::append(toolkit, ALEXNET_CUDASIM_TOOLKIT_INCLUDE);
    args.push_back("-I" + toolkit.str().str());
  }
  args.push_back("-I" + include.str().str());
  if (simulator)
    args.push_back("-xc++");
  args.push_back(sourcePath.str().str());
  if (simulator)
    args.push_back("-xnone");
  for (const std::string &path : backend)
    args.push_back(path);
  args.push_back(archive);
  for (const std::string &lib :
       splitFlags(cuda ? ALEXNET_CUDA_LINK_LIBS : ALEXNET_RUNTIME_LINK_LIBS))
    args.push_back(lib);
  args.push_back("-o");
  args.push_back(output.str());

  std::string command;
  for (const std::string &arg : args)
    command += (command.empty() ? "" : " ") + arg;
  if (options.verbose)
    llvm::errs() << command << "\n";

  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*compiler, argRefs, std::nullopt, {},
                                         0, 0, &message);
  if (!options.keepSource)
    llvm::sys::fs::remove(sourcePath);
  if (status != 0)
    return fail(llvm::Twine(cuda ? "nvcc" : "the C++ compiler") + " failed (" +
                (message.empty() ? "exit status " + std::to_string(status)
                                 : message) +
                "): " + command);
  return success();
}
