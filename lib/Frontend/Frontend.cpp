//===- Frontend.cpp - Entry point of the model DSL front end --------------===//
//
// Wires lexer, parser and Sema to one diagnostic engine; see Frontend.h.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Frontend/Frontend.h"
#include "alexnet/Frontend/Parser.h"

#include <fstream>
#include <sstream>

namespace alexnet::frontend {

FrontendResult runFrontend(std::string_view fileName, std::string_view source,
                           const SemaOptions &options,
                           std::ostream *diagnostics, unsigned errorLimit) {
  DiagnosticEngine diags(fileName, source, diagnostics, errorLimit);
  File file = Parser(source, diags).parseFile();
  FrontendResult result;
  result.graph = analyze(file, fileName, options, diags);
  diags.flush();
  result.errorCount = diags.errorCount();
  return result;
}

std::optional<Graph> parseModel(std::string_view fileName,
                                std::string_view source,
                                std::optional<int64_t> batchOverride,
                                std::ostream &diagnostics, bool requireLoss) {
  SemaOptions options;
  options.batchOverride = batchOverride;
  options.requireLoss = requireLoss;
  return runFrontend(fileName, source, options, &diagnostics).graph;
}

std::optional<Graph> parseModelFile(const std::string &path,
                                    std::optional<int64_t> batchOverride,
                                    std::ostream &diagnostics,
                                    bool requireLoss) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in)
    text << in.rdbuf();
  if (!in || in.bad()) {
    diagnostics << path << ": error: cannot read file\n";
    return std::nullopt;
  }
  return parseModel(path, text.str(), batchOverride, diagnostics, requireLoss);
}

} // namespace alexnet::frontend
