//===- CGIsaTest.cpp - the encoding table and its users agree -------------===//

#include "cgnet/Dialect/CGIsa/IR/CGIsaDialect.h"
#include "cgnet/Target/CGIsa/ISA.h"

#include "mlir/IR/MLIRContext.h"
#include "gtest/gtest.h"
#include <random>
#include <set>

using namespace cgnet;

namespace {

TEST(CGIsa, TableIsConsistent) {
  std::set<unsigned> opcodes;
  std::set<std::string> mnemonics;
  for (const isa::InstrDesc &d : isa::instructionTable()) {
    EXPECT_TRUE(opcodes.insert(static_cast<unsigned>(d.opcode)).second)
        << d.mnemonic;
    EXPECT_TRUE(mnemonics.insert(d.mnemonic).second) << d.mnemonic;
    ASSERT_LE(d.fields.size(), isa::kMaxFields);
    const isa::FieldDesc &last = d.fields.back();
    EXPECT_LE(last.lsb + last.bits, isa::kInstrBytes * 8) << d.mnemonic;
    std::set<std::string> names;
    for (const isa::FieldDesc &f : d.fields)
      EXPECT_TRUE(names.insert(f.name).second) << d.mnemonic << "." << f.name;
  }
  // The slot constants generated from the table point at the right fields.
  const isa::InstrDesc *conv = isa::lookup(isa::Opcode::Conv);
  EXPECT_STREQ(conv->fields[isa::Conv::op_bits].name, "op_bits");
  EXPECT_STREQ(isa::lookup(isa::Opcode::DmaLoad)->fields[isa::DmaLoad::elem].name,
               "elem");
  EXPECT_STREQ(isa::lookup(isa::Opcode::Ewise)->fields[isa::Ewise::round].name,
               "round");
}

TEST(CGIsa, EncodeDecodeRoundTrip) {
  std::mt19937_64 rng(7);
  for (const isa::InstrDesc &d : isa::instructionTable())
    for (int trial = 0; trial < 200; ++trial) {
      isa::Instr in;
      in.op = d.opcode;
      for (size_t i = 0; i < d.fields.size(); ++i) {
        const isa::FieldDesc &f = d.fields[i];
        uint64_t span = static_cast<uint64_t>(f.max() - f.min());
        in.v[i] = f.min() + static_cast<int64_t>(rng() % (span + 1));
        if (trial == 0)
          in.v[i] = f.min();
        if (trial == 1)
          in.v[i] = f.max();
      }
      uint8_t bytes[isa::kInstrBytes];
      ASSERT_FALSE(static_cast<bool>(isa::encode(in, bytes))) << d.mnemonic;
      auto out = isa::decode(bytes, 0);
      ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
      EXPECT_EQ(out->op, in.op);
      EXPECT_EQ(out->v, in.v) << d.mnemonic;
    }
}

TEST(CGIsa, EncodeRejectsOverflow) {
  isa::Instr in;
  in.op = isa::Opcode::Post;
  in[isa::Post::clamp_hi] = 1 << 15; // 16-bit signed
  uint8_t bytes[isa::kInstrBytes];
  llvm::Error e = isa::encode(in, bytes);
  ASSERT_TRUE(static_cast<bool>(e));
  EXPECT_NE(llvm::toString(std::move(e)).find("'clamp_hi' = 32768"),
            std::string::npos);
}

// Every instruction of the table is one op of the dialect, and every op
// of the dialect other than the program structure is an instruction.
TEST(CGIsa, DialectMatchesTable) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<cgisa::CGIsaDialect>();
  for (const isa::InstrDesc &d : isa::instructionTable())
    EXPECT_TRUE(mlir::RegisteredOperationName::lookup(
                    std::string("cgisa.") + d.mnemonic, &ctx)
                    .has_value())
        << d.mnemonic;
  std::set<std::string> structure = {"cgisa.program", "cgisa.segment",
                                     "cgisa.input", "cgisa.output",
                                     "cgisa.layer"};
  for (mlir::RegisteredOperationName name : ctx.getRegisteredOperations()) {
    if (name.getDialectNamespace() != "cgisa" ||
        structure.count(name.getStringRef().str()))
      continue;
    EXPECT_NE(isa::lookup(name.stripDialect()), nullptr)
        << name.getStringRef().str();
  }
}

TEST(CGIsa, ConfigRoundTrip) {
  isa::AccelConfig c;
  c.rows = 7;
  c.clockMHz = 123.456;
  c.macPJ = 0.1;
  std::string text;
  llvm::raw_string_ostream os(text);
  isa::printConfig(c, os);
  auto back = isa::parseConfig(text);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_EQ(back->rows, 7);
  EXPECT_EQ(back->clockMHz, 123.456);
  EXPECT_EQ(back->macPJ, 0.1);
  auto bad = isa::parseConfig("rows = 0\n", "cfg");
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "cfg:1: 'rows' = 0 is out of range [1, 4096]");
  auto groups = isa::parseConfig("rows = 32\nrow_groups = 3\n", "cfg");
  ASSERT_FALSE(static_cast<bool>(groups));
  EXPECT_EQ(llvm::toString(groups.takeError()),
            "cfg: 'row_groups' = 3 does not divide 'rows' = 32");
  auto two = isa::parseConfig("row_groups = 2\n", "cfg");
  ASSERT_TRUE(static_cast<bool>(two));
  EXPECT_EQ(two->rowGroups, 2);
  auto zero = isa::parseConfig("row_groups = 0\n", "cfg");
  ASSERT_FALSE(static_cast<bool>(zero));
  EXPECT_EQ(llvm::toString(zero.takeError()),
            "cfg:1: 'row_groups' must be -1 (4, 2 or 1, whichever divides "
            "'rows') or at least 1");
  // -1 (the default): 4, 2 or 1 row groups, whichever divides rows first.
  for (auto [rows, groups] : {std::pair<int64_t, int64_t>{32, 4}, {6, 2}, {7, 1}}) {
    isa::AccelConfig c;
    c.rows = rows;
    EXPECT_EQ(c.groups(), groups) << rows << " rows";
  }
}

// The gated pass's cycles (docs/isa.md, cycle model): chunks on cols x
// row_groups slots, each chunk's reduction split into parts that the slots
// the chunks leave idle take.
TEST(CGIsa, GatedPassSplitsIdleRowGroups) {
  isa::AccelConfig c; // 32 x 32, 4 row groups: 128 slots
  auto check = [&](double chunks, int64_t k, double passes, double perPass,
                   int64_t split) {
    isa::AccelConfig::GatedPass p = c.gatedPass(chunks, k);
    EXPECT_EQ(p.passes, passes) << chunks << " chunks";
    EXPECT_EQ(p.cyclesPerPass, perPass) << chunks << " chunks";
    EXPECT_EQ(p.split, split) << chunks << " chunks";
  };
  check(32, 3456, 1, 864, 4);   // one chunk per column: 4 groups share it
  check(64, 3456, 1, 1728, 2);  // 2 and 4 tie at 1728: the smaller split
  check(128, 3456, 1, 3456, 1); // every slot taken
  check(32, 9, 1, 3, 4);        // a reduction that does not divide: ceil
  // row_group_split = 2 (the default): also any count of parts of at
  // least `rows` cycles, which free slots anywhere take. 70 chunks of 1728:
  // 4 parts give 280 on 128 slots, 3 passes of 432 (1296 cycles); 31 parts
  // 2170, 17 passes of 56 (952; all the work on all the slots: 945).
  check(70, 1728, 17, 56, 31);
  check(200, 3456, 25, 216, 16); // 5400 = 200 x 3456 / 128, not 7 x 864
  check(32, 40, 1, 10, 4);       // parts under 32 cycles: divisors of 4 only
  c.rowGroupSplit = 1;
  check(70, 1728, 3, 432, 4);
  check(200, 3456, 7, 864, 4);   // the last pass fills
  c.rowGroupSplit = 0;
  check(32, 3456, 1, 3456, 1);
  c.rowGroups = 1;
  c.rowGroupSplit = 1;
  check(32, 3456, 1, 3456, 1);
  check(33, 3456, 2, 3456, 1);
}

} // namespace
