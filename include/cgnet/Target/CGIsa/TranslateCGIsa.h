//===- TranslateCGIsa.h - cgisa translations ---------------------*- C++ -*-===//

#ifndef CGNET_TARGET_CGISA_TRANSLATECGISA_H
#define CGNET_TARGET_CGISA_TRANSLATECGISA_H

namespace cgnet {

/// Registers --emit-cgisa-bin and --emit-cgisa-asm (a module with one
/// cgisa.program -> binary or text), --disassemble-cgisa (binary -> text)
/// and --assemble-cgisa (text -> binary).
void registerCGIsaTranslations();

} // namespace cgnet

#endif // CGNET_TARGET_CGISA_TRANSLATECGISA_H
