; conv1x1.s in two tiles of output rows (2 rows, then 1), each with its
; own input rows, accumulators and output: the first tile's post runs on
; the vector unit while the second tile convolves (overlap.test).
.config rows = 4
.config cols = 4
.config dram_latency = 10
.config dram_bytes_per_cycle = 4
.dram 512
.input "x" addr=0 shape=1x2x3x3 scale=0 zp=0 min=-128 max=127 round=away
.output "y" addr=256 shape=1x3x3x3 scale=0 zp=0 min=-128 max=127 round=away
.segment 0x40 6
.bytes 01fe0304fb06
.segment 0x80 36
.bytes 0a000000ecffffff1e000000000000400000004000000040
.bytes 1f0000001f0000001f000000
.layer "conv1x1"
dma_ld buf=1 sram=0 dram=64 y_size=1 x_size=6 dram_stride=6
dma_ld buf=2 sram=0 dram=128 y_size=1 x_size=36 dram_stride=36
dma_ld push_next=1 buf=0 sram=0 dram=0 y_size=1 x_size=12 dram_stride=12
dma_ld push_next=1 buf=0 sram=32 dram=12 y_size=1 x_size=6 dram_stride=6
cfg in_w=3 in_c=2 out_w=3 kh=1 kw=1 sh=1 sw=1 dh=1 dw=1 w_c=2
conv pop_prev=1 inp=0 wgt=0 acc=0 param=0 rows=2 oc_count=3 ch_hi=2 init=1 bias=1 op_bits=8
post push_next=1 acc=0 out=0 param=12 pixels=6 oc_count=3 clamp_lo=-128 clamp_hi=127
conv pop_prev=1 inp=32 wgt=0 acc=128 param=0 rows=1 oc_count=3 ch_hi=2 init=1 bias=1 op_bits=8
post push_next=1 acc=128 out=32 param=12 pixels=3 oc_count=3 clamp_lo=-128 clamp_hi=127
dma_st pop_prev=1 sram=0 dram=256 y_size=1 x_size=18 dram_stride=18
dma_st pop_prev=1 sram=32 dram=274 y_size=1 x_size=9 dram_stride=9
finish
