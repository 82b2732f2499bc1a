//===- InputLimits.cpp - refusing inputs the MLIR parser cannot take ------===//

#include "cgnet/Support/InputLimits.h"

namespace cgnet {

std::optional<std::string> checkNestingDepth(llvm::StringRef text,
                                             llvm::StringRef name) {
  unsigned depth = 0, line = 1, col = 0;
  bool inString = false, inComment = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    ++col;
    if (c == '\n') {
      ++line;
      col = 0;
      inComment = false;
      continue;
    }
    if (inComment)
      continue;
    if (inString) {
      if (c == '\\')
        ++i, ++col; // skip the escaped character
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      inComment = true;
    } else if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth > kMaxNestingDepth)
        return name.str() + ":" + std::to_string(line) + ":" +
               std::to_string(col) + ": error: brackets nest deeper than " +
               std::to_string(kMaxNestingDepth) +
               " levels; refusing to parse (the MLIR parser would overflow "
               "its stack)";
    } else if ((c == ')' || c == ']' || c == '}' || c == '>') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

} // namespace cgnet
