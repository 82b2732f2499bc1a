//===- CGIsaOps.td - the cgisa dialect ---------------------*- tablegen -*-===//
//
// One op per accelerator instruction. Instruction fields are integer
// attributes named as in include/cgnet/Target/CGIsa/Instructions.def, the
// one declaration of the encoding: the shared verifier checks every
// attribute against that table (known field, value fits its width), so
// these definitions name no fields themselves. A field left out is 0.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_DIALECT_CGISA_IR_CGISAOPS_TD
#define CGNET_DIALECT_CGISA_IR_CGISAOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/SymbolInterfaces.td"

def CGIsa_Dialect : Dialect {
  let name = "cgisa";
  let cppNamespace = "::cgnet::cgisa";
  let summary = "Instructions of the CGNet accelerator";
  let description = [{
    A `cgisa.program` holds one accelerator program: the configuration it
    was compiled for, the DRAM image (`cgisa.segment`), the inputs and
    outputs in DRAM, layer marks, and the instructions in program order.
    `cgnet-translate --emit-cgisa-bin` and `--emit-cgisa-asm` write it out;
    `cgnet-sim` runs the binary. docs/isa.md describes the machine, the
    fields of every instruction and the cycle model.
  }];
}

class CGIsa_Op<string mnemonic, list<Trait> traits = []>
    : Op<CGIsa_Dialect, mnemonic, traits>;

def CGIsa_ProgramOp : CGIsa_Op<"program", [Symbol, NoTerminator,
    SingleBlock, IsolatedFromAbove]> {
  let summary = "an accelerator program";
  let description = [{
    `config` holds the accelerator configuration (the keys of
    config/cgnet-prototype.cfg, integers and floats); `dram_bytes` the DRAM
    size the program needs. The body holds segments, inputs, outputs, layer
    marks and instructions; instructions run in the order written (each on
    its queue).

    ```mlir
    cgisa.program @main attributes {config = {rows = 32 : i64, cols = 32 : i64},
                                    dram_bytes = 4096 : i64} {
      cgisa.finish
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, DictionaryAttr:$config,
                       I64Attr:$dram_bytes);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def CGIsa_SegmentOp : CGIsa_Op<"segment", [HasParent<"ProgramOp">]> {
  let summary = "initial DRAM contents";
  let description = [{
    The bytes of `data` (a 1-D `i8` tensor, dense or a dense resource) at
    DRAM byte `address`: weights, biases, thresholds, requantization
    parameters.
  }];
  let arguments = (ins I64Attr:$address, ElementsAttr:$data);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

class CGIsa_IoOp<string mnemonic, string what> : CGIsa_Op<mnemonic,
    [HasParent<"ProgramOp">]> {
  let summary = "a program " # what # " in DRAM";
  let description = [{
    A tensor of `shape` (as the model states it, NCHW) at DRAM byte
    `address`, int8, NHWC when of rank 4 and row-major otherwise. With a
    non-zero `scale` the host converts between f32 and the stored integers
    (quantize with `rounding`: `away`, `even` or `up`; dequantize as
    `(q - zero_point) * scale`); a zero `scale` means raw integers.
  }];
  let arguments = (ins StrAttr:$name, I64Attr:$address,
                       DenseI64ArrayAttr:$shape, F64Attr:$scale,
                       I64Attr:$zero_point, I64Attr:$storage_min,
                       I64Attr:$storage_max, StrAttr:$rounding);
  let assemblyFormat = "$name attr-dict";
  let hasVerifier = 1;
}
def CGIsa_InputOp : CGIsa_IoOp<"input", "input">;
def CGIsa_OutputOp : CGIsa_IoOp<"output", "output">;

def CGIsa_LayerOp : CGIsa_Op<"layer", [HasParent<"ProgramOp">]> {
  let summary = "marks the first instruction of a layer";
  let description = [{
    The instructions that follow, up to the next mark, belong to layer
    `name` in the simulator's per-layer report.
  }];
  let arguments = (ins StrAttr:$name);
  let assemblyFormat = "$name attr-dict";
}

// An instruction: its fields are the op's integer attributes.
class CGIsa_InstrOp<string mnemonic, string doc> : CGIsa_Op<mnemonic,
    [HasParent<"ProgramOp">]> {
  let description = doc # [{

    Fields (integer attributes; see docs/isa.md for the bit layout): the
    common token flags `pop_prev`, `pop_next`, `push_prev`, `push_next`,
    and the instruction's own fields as listed in docs/isa.md. A field left
    out is 0.
  }];
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

def CGIsa_DmaLoadOp : CGIsa_InstrOp<"dma_ld", [{
    Load queue. Copies `y_size` rows of `x_size` bytes, `dram_stride` apart
    in DRAM from `dram`, into buffer `buf` (0 INP, 1 WGT, 2 PARAM) at
    `sram`, rows packed one after another; writes `pad_top` zero rows
    before, `pad_bottom` after, and `pad_left`/`pad_right` zero elements of
    `elem` bytes around every row.
  }]> {
  let summary = "2-D DMA load with zero padding";
}
def CGIsa_DmaStoreOp : CGIsa_InstrOp<"dma_st", [{
    Store queue. Copies `y_size` rows of `x_size` bytes, packed in OUT from
    `sram`, to DRAM at `dram`, rows `dram_stride` apart.
  }]> {
  let summary = "2-D DMA store";
}
def CGIsa_ConfigOp : CGIsa_InstrOp<"cfg", [{
    Compute queue. Sets the layer geometry registers read by `conv` and
    `pool`: tile width `in_w` and channels `in_c`, output width `out_w`,
    kernel `kh x kw`, strides, dilations, pooling padding and image height,
    weight channels `w_c` and output channels per group.
  }]> {
  let summary = "set the layer geometry";
}
def CGIsa_ConvOp : CGIsa_InstrOp<"conv", [{
    Compute queue, systolic array. For the `rows x out_w` output pixels of
    the INP tile and `oc_count` output channels from `oc_base`:
    `acc[p][j] (=|+=) sum over input channels c in the range, ky, kx of
    x[p, c, ky, kx] * w[j][ky][kx][c]`, with the range `[ch_lo, ch_hi)` or
    its complement (`exclude`) inside the output channel's group. `init`
    starts from the bias (`bias = 1`) or zero. `gated = 1` computes only the
    pixels of the active list at `idx` (length from the last `compact`) and
    adds only where the gate bitmap at `bmp` is set: the conditional path.
    `mode` 1/2 use the high/low part of the activations (precision gating).
    Cycles: `ceil(P/rows) * ceil(oc_count/cols) * (K * slices + fill)`.
  }]> {
  let summary = "convolution tile: base, dense or conditional path";
}
def CGIsa_GateOp : CGIsa_InstrOp<"gate", [{
    Compute queue. `bmp[p][j] = acc[p][j] >= threshold[j]` for the tile's
    pixels and output channels, with int32 thresholds at `param`.
  }]> {
  let summary = "gate bitmap from the partial sums";
}
def CGIsa_CompactOp : CGIsa_InstrOp<"compact", [{
    Compute queue. Writes the pixels whose bitmap row has any bit set, in
    increasing order, as uint32 entries at `idx`; their count goes to the
    active-list register read by the next gated `conv`.
  }]> {
  let summary = "active pixel list from the gate bitmap";
}
def CGIsa_PostOp : CGIsa_InstrOp<"post", [{
    Compute queue, vector unit. `out[p][j] = clamp(scale(acc[p][j],
    mult[j], shift[j]) + out_zp, clamp_lo, clamp_hi)`, with the fixed-point
    scaling of `cgnet.requantize` (ties away from zero, or up with
    `round = 1`); multipliers then shifts at `param`. With `leaky = 1`
    negative values are scaled by the first two words at `stage_param`
    before the clamp (a leaky ReLU). With `residual = 1` the pipeline goes
    on with a residual add: the value above and the int8 tile at INP
    address `res` are each requantized, clamped, added and clamped again,
    with the next 12 words at `stage_param` (docs/isa.md, "post").
  }]> {
  let summary = "requantize, leaky ReLU, clamp/ReLU, residual add, narrow to int8";
}
def CGIsa_PoolOp : CGIsa_InstrOp<"pool", [{
    Compute queue, vector unit. Max (`mode = 0`, padded positions ignored)
    or average (`mode = 1`, rounded half away from zero, padded positions
    counted with `include_pad`) pooling of `rows` output rows from `oy0`,
    over an INP tile of whole image rows starting at image row `row0`.
  }]> {
  let summary = "max or average pooling";
}
def CGIsa_EwiseOp : CGIsa_InstrOp<"ewise", [{
    Compute queue, vector unit. `count` elements: `op = 0` saturating add
    of `a` and `b`, `op = 1` requantize `a` (per channel `e mod channels`,
    multipliers then shifts at `param`), `op = 2` clamp `a`; all clamp to
    `[clamp_lo, clamp_hi]`. Operands come from INP or OUT (`a_buf`,
    `b_buf`), so a chain of element-wise layers runs on chip, each step
    reading the previous one's result in OUT.
  }]> {
  let summary = "element-wise add, requantize or clamp";
}
def CGIsa_SyncOp : CGIsa_InstrOp<"sync", [{
    Compute queue. Does nothing; carries token flags (the barrier between
    layers).
  }]> {
  let summary = "token barrier";
}
def CGIsa_FinishOp : CGIsa_InstrOp<"finish", [{
    Compute queue. The last instruction: the run ends when every queue has
    drained.
  }]> {
  let summary = "end of program";
}

#endif // CGNET_DIALECT_CGISA_IR_CGISAOPS_TD
