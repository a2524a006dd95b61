//===- alexnet-compile.cpp - Compile a .nn model --------------------------===//

#include "alexnet/Tools/CompileMain.h"

int main(int argc, char **argv) { return alexnet::compileMain(argc, argv); }
