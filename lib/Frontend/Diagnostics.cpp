//===- Diagnostics.cpp - Errors and notes against DSL source --------------===//
//
// See Diagnostics.h. The echoed line is sanitised (bytes that are not
// printable UTF-8 become '?') and cut around the column when long, so any
// input, including binary garbage, prints as a readable, bounded report.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Frontend/Diagnostics.h"
#include "alexnet/Frontend/Lexer.h"

#include <algorithm>

namespace alexnet::frontend {

DiagnosticEngine::DiagnosticEngine(std::string_view fileName,
                                   std::string_view source, std::ostream *os,
                                   unsigned errorLimit)
    : fileName(fileName), source(source), os(os),
      errorLimit(std::max(1u, errorLimit)) {}

DiagnosticEngine::~DiagnosticEngine() { flush(); }

void DiagnosticEngine::error(SourceRange loc, std::string message) {
  if (tooManyErrors()) {
    lastDropped = true;
    return;
  }
  ++numErrors;
  lastDropped = false;
  pending.push_back({loc, std::move(message), {}});
}

void DiagnosticEngine::note(SourceRange loc, std::string message) {
  if (lastDropped || pending.empty())
    return;
  pending.back().notes.emplace_back(loc, std::move(message));
}

void DiagnosticEngine::flush() {
  if (!os) {
    pending.clear();
    return;
  }
  // Stable: diagnostics at one position keep the order they were found in.
  std::stable_sort(pending.begin(), pending.end(),
                   [](const Diagnostic &a, const Diagnostic &b) {
                     if (a.loc.line != b.loc.line)
                       return a.loc.line < b.loc.line;
                     return a.loc.column < b.loc.column;
                   });
  for (const Diagnostic &d : pending) {
    *os << render(d.loc, "error", d.message);
    for (const auto &[loc, message] : d.notes)
      *os << render(loc, "note", message);
  }
  pending.clear();
  if (tooManyErrors() && !limitReported) {
    limitReported = true;
    *os << fileName << ": error: too many errors, stopping after " << errorLimit
        << "\n";
  }
  os->flush();
}

std::string_view DiagnosticEngine::lineText(uint32_t line) {
  if (lineStarts.empty()) {
    lineStarts.push_back(0);
    for (size_t i = 0; i < source.size(); ++i)
      if (source[i] == '\n')
        lineStarts.push_back(i + 1);
  }
  if (line == 0 || line > lineStarts.size())
    return {};
  size_t begin = lineStarts[line - 1];
  size_t end = source.find('\n', begin);
  if (end == std::string_view::npos)
    end = source.size();
  if (end > begin && source[end - 1] == '\r')
    --end;
  return source.substr(begin, end - begin);
}

std::string DiagnosticEngine::render(SourceRange loc, std::string_view severity,
                                     std::string_view message) {
  std::string out = fileName;
  if (loc.line != 0)
    out += ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
  out += ": ";
  out += severity;
  out += ": ";
  out += message;
  out += '\n';
  if (loc.line == 0)
    return out;

  std::string_view line = lineText(loc.line);
  size_t column =
      std::min<size_t>(loc.column ? loc.column - 1 : 0, line.size());
  size_t underlineEnd =
      std::min<size_t>(column + std::max<uint32_t>(loc.length, 1), line.size());

  // Cut long lines to a window around the column, on character boundaries.
  size_t begin = 0, end = line.size();
  if (line.size() > kMaxEchoWidth) {
    begin = column > kMaxEchoWidth / 2 ? column - kMaxEchoWidth / 2 : 0;
    while (begin > 0 && (uint8_t(line[begin]) & 0xC0) == 0x80)
      --begin;
    end = std::min(line.size(), begin + kMaxEchoWidth);
    while (end < line.size() && (uint8_t(line[end]) & 0xC0) == 0x80)
      ++end;
  }
  underlineEnd = std::min(underlineEnd, end);

  std::string echo = begin > 0 ? "..." : "";
  std::string caret(echo.size(), ' ');
  for (size_t i = begin; i < end;) {
    unsigned n = utf8Length(line, i);
    char c = line[i];
    bool printable = n > 1 || c == '\t' || (n == 1 && c >= 0x20 && c < 0x7f);
    if (printable)
      echo.append(line.substr(i, n ? n : 1));
    else
      echo += '?';
    // One caret column per displayed character; tabs stay tabs to align.
    size_t step = n ? n : 1;
    if (i + step <= column)
      caret += c == '\t' ? '\t' : ' ';
    else if (i <= column)
      caret += '^';
    else if (i < underlineEnd)
      caret += '~';
    i += step;
  }
  if (column >= end)
    caret += '^';
  if (end < line.size())
    echo += "...";
  out += echo;
  out += '\n';
  out += caret;
  out += '\n';
  return out;
}

std::string quote(std::string_view text) {
  constexpr size_t kMaxQuoted = 64;
  if (text.size() <= kMaxQuoted)
    return "'" + std::string(text) + "'";
  size_t cut = kMaxQuoted;
  while (cut > 0 && (uint8_t(text[cut]) & 0xC0) == 0x80)
    --cut;
  return "'" + std::string(text.substr(0, cut)) + "...'";
}

namespace {

/// Optimal-string-alignment distance (a swap of neighbours is one edit), or
/// `limit + 1` when it is certainly above `limit`.
size_t editDistance(std::string_view a, std::string_view b, size_t limit) {
  constexpr size_t kMaxLength = 64; // suggestions for long names are noise
  if (a.size() > kMaxLength || b.size() > kMaxLength ||
      (a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit)
    return limit + 1;
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

} // namespace

std::string closestMatch(std::string_view name,
                         const std::vector<std::string> &candidates) {
  constexpr size_t kMaxEdits = 2;
  std::string best;
  size_t bestDistance = kMaxEdits + 1;
  for (const std::string &candidate : candidates) {
    size_t d = editDistance(name, candidate, kMaxEdits);
    // Never suggest a name that shares almost nothing with the typo.
    if (d < bestDistance && d < name.size() && d < candidate.size()) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

std::string didYouMean(std::string_view name,
                       const std::vector<std::string> &candidates) {
  std::string match = closestMatch(name, candidates);
  return match.empty() ? "" : "; did you mean " + quote(match) + "?";
}

std::string joinNames(const std::vector<std::string> &names) {
  std::string out;
  for (const std::string &name : names) {
    if (!out.empty())
      out += ", ";
    out += name;
  }
  return out;
}

} // namespace alexnet::frontend
