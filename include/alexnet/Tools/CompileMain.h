//===- CompileMain.h - The alexnet-compile driver ---------------*- C++ -*-===//

#ifndef ALEXNET_TOOLS_COMPILEMAIN_H
#define ALEXNET_TOOLS_COMPILEMAIN_H

namespace alexnet {

/// Parses a .nn model and runs the compiler up to the stage `--emit` names.
/// Returns the process exit code: 0 on success, 1 on any diagnosed error.
int compileMain(int argc, char **argv);

} // namespace alexnet

#endif // ALEXNET_TOOLS_COMPILEMAIN_H
