//===- ScheduleRolling.cpp - Loops over repeated schedule statements ------===//

#include "ScheduleRolling.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cctype>
#include <cstdint>
#include <vector>

using namespace alexnet;

namespace {

/// A statement split into the text around its free numbers and the numbers.
struct Split {
  std::string key;                  ///< the text with each free number as '#'
  std::vector<std::string> pieces;  ///< text between numbers (numbers + 1)
  std::vector<int64_t> numbers;
};

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

Split split(const std::string &text) {
  Split s;
  std::string piece;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c)) &&
        (i == 0 || !isWordChar(text[i - 1]))) {
      size_t end = i;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))
        ++end;
      // Too long for int64 or glued to a word or float: plain text.
      if (end - i <= 18 && (end == text.size() || !isWordChar(text[end]))) {
        s.pieces.push_back(piece);
        s.key += piece + "#";
        piece.clear();
        s.numbers.push_back(std::stoll(text.substr(i, end - i)));
        i = end;
        continue;
      }
      piece += text.substr(i, end - i);
      i = end;
      continue;
    }
    piece += c;
    ++i;
  }
  s.pieces.push_back(piece);
  s.key += piece;
  return s;
}

/// How many periods of `period` statements from `start` repeat with
/// constant steps (1 when the second period does not match).
int64_t repeats(const std::vector<Split> &s, size_t start, size_t period) {
  if (start + 2 * period > s.size())
    return 1;
  for (size_t j = 0; j < period; ++j)
    if (s[start + j].key != s[start + period + j].key)
      return 1;
  int64_t r = 2;
  for (;; ++r) {
    size_t base = start + size_t(r) * period;
    if (base + period > s.size())
      break;
    bool same = true;
    for (size_t j = 0; j < period && same; ++j) {
      const Split &first = s[start + j], &second = s[start + period + j];
      const Split &next = s[base + j];
      if (next.key != first.key)
        same = false;
      for (size_t k = 0; same && k < first.numbers.size(); ++k)
        same = next.numbers[k] ==
               first.numbers[k] + r * (second.numbers[k] - first.numbers[k]);
    }
    if (!same)
      break;
  }
  return r;
}

/// The loop over `count` periods starting at `start`.
std::string loop(const std::vector<Split> &s, size_t start, size_t period,
                 int64_t count) {
  std::string out = "  for (int64_t rep = 0; rep < " + std::to_string(count) +
                    "; ++rep) {\n";
  for (size_t j = 0; j < period; ++j) {
    const Split &first = s[start + j], &second = s[start + period + j];
    std::string text;
    for (size_t k = 0; k < first.numbers.size(); ++k) {
      text += first.pieces[k];
      int64_t step = second.numbers[k] - first.numbers[k];
      if (step == 0)
        text += std::to_string(first.numbers[k]);
      else
        text += "(" + std::to_string(first.numbers[k]) + " + " +
                std::to_string(step) + " * rep)";
    }
    text += first.pieces.back();
    // One more level of indentation for every line of the statement.
    llvm::StringRef rest(text);
    while (!rest.empty()) {
      auto [line, tail] = rest.split('\n');
      out += "  " + line.str() + "\n";
      rest = tail;
    }
  }
  return out + "  }\n";
}

} // namespace

std::string alexnet::rollRepeats(llvm::ArrayRef<std::string> statements,
                                 int minRepeats, int maxPeriod) {
  std::vector<Split> s;
  s.reserve(statements.size());
  for (const std::string &text : statements)
    s.push_back(split(text));
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t bestPeriod = 0;
    int64_t bestCount = 0;
    for (size_t period = 1; period <= size_t(maxPeriod); ++period) {
      int64_t count = repeats(s, i, period);
      if (count >= minRepeats &&
          int64_t(period) * count > int64_t(bestPeriod) * bestCount) {
        bestPeriod = period;
        bestCount = count;
      }
    }
    if (!bestPeriod) {
      out += statements[i];
      ++i;
      continue;
    }
    out += loop(s, i, bestPeriod, bestCount);
    i += bestPeriod * size_t(bestCount);
  }
  return out;
}
