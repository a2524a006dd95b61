//===- AST.h - Syntax tree of the model DSL ---------------------*- C++ -*-===//
//
// What the parser produces: the file's blocks and statements as written,
// with positions, before names, types and shapes are checked. Sema turns
// this into a Graph.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_FRONTEND_AST_H
#define ALEXNET_FRONTEND_AST_H

#include "alexnet/Frontend/Graph.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace alexnet::frontend {

struct Expr;

/// One argument of a call: positional when `keyword` is empty.
struct Arg {
  std::string keyword;
  SourceRange keywordLoc;
  std::unique_ptr<Expr> value;
};

/// expr := NUMBER | '-' NUMBER | IDENT | call | '[' expr (',' expr)* ']'
struct Expr {
  enum class Kind { Integer, Float, Name, Call, List };
  Kind kind = Kind::Integer;
  /// The whole expression when it sits on one line, else its first token;
  /// for a call, the callee's name.
  SourceRange loc;
  int64_t intValue = 0;  ///< Integer
  double floatValue = 0; ///< Integer and Float
  std::string text;      ///< Name, callee of a Call, or a literal's spelling
  std::vector<Arg> args; ///< Call
  std::vector<std::unique_ptr<Expr>> elements; ///< List
};

/// A statement inside `model NAME { ... }`.
struct ModelStmt {
  enum class Kind { Batch, Input, Layer };
  Kind kind = Kind::Layer;
  /// Output and Loss for `output x = ...` and `loss x = ...`.
  Role role = Role::Hidden;
  /// The leading keyword (batch, input, output, loss), or the name.
  SourceRange keywordLoc;
  std::string name; ///< input or layer name
  SourceRange nameLoc;
  /// Batch: the value. Layer: the call.
  std::unique_ptr<Expr> value;
  /// The statement failed to parse after its name. Sema treats the name as
  /// defined but unusable, so one syntax error does not cascade into
  /// "undefined name" errors.
  bool broken = false;
  // Input
  std::string dtype;
  SourceRange dtypeLoc;
  std::vector<std::unique_ptr<Expr>> dims;
};

struct ModelBlock {
  SourceRange keywordLoc;
  std::string name;
  SourceRange nameLoc;
  std::vector<ModelStmt> stmts;
};

/// `key = expr` inside `train NAME { ... }`.
struct TrainEntry {
  std::string key;
  SourceRange keyLoc;
  std::unique_ptr<Expr> value;
  bool broken = false; ///< failed to parse; already reported
};

struct TrainBlock {
  SourceRange keywordLoc;
  std::string name;
  SourceRange nameLoc;
  std::vector<TrainEntry> entries;
};

struct File {
  std::vector<ModelBlock> models;
  std::vector<TrainBlock> trains;
};

} // namespace alexnet::frontend

#endif // ALEXNET_FRONTEND_AST_H
