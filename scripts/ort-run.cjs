// Runs an ONNX model with ONNX Runtime (npm onnxruntime-node) on .npy
// inputs and writes its outputs as .npy: the reference that imported
// models are compared with.
//   node scripts/ort-run.cjs model.onnx in0.npy [in1.npy ...] -o out0.npy [-o out1.npy ...]
//        [--time N] [--threads T]
// --time N: also runs the model N more times and prints "run: S s (best of
// N)", as cgnet-run --time does; --threads T: ONNX Runtime's intra-op
// threads (default 1, one inter-op thread: the single-threaded baseline of
// bench/run-ort-resnet18.sh).
// Float32 (<f4), int8 (|i1) and uint8 (|u1) C-order inputs; float32
// outputs. NODE_PATH must reach onnxruntime-node
// (scripts/fetch-models.sh installs it next to the models).
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function fail(msg) {
  process.stderr.write(`ort-run: error: ${msg}\n`);
  process.exit(1);
}

function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') fail(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = (header.match(/'descr':\s*'([^']*)'/) || [])[1];
  const kinds = { '<f4': ['float32', Float32Array, 4], '|i1': ['int8', Int8Array, 1], '|u1': ['uint8', Uint8Array, 1] };
  if (!kinds[descr]) fail(`${path}: dtype ${descr} is not supported (<f4, |i1, |u1)`);
  const [type, Arr, size] = kinds[descr];
  if (/'fortran_order':\s*True/.test(header)) fail(`${path}: Fortran order is not supported`);
  const m = header.match(/'shape':\s*\(([^)]*)\)/);
  if (!m) fail(`${path}: no shape in the header`);
  const shape = m[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  if (buf.length - offset !== count * size) fail(`${path}: ${buf.length - offset} data bytes for ${count} elements`);
  const data = new Arr(count);
  for (let i = 0; i < count; ++i)
    data[i] = size === 4 ? buf.readFloatLE(offset + 4 * i) : (type === 'int8' ? buf.readInt8(offset + i) : buf.readUInt8(offset + i));
  return { type, shape, data };
}

function writeNpy(path, shape, data) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + data.length * 4);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  for (let i = 0; i < data.length; ++i) out.writeFloatLE(data[i], 10 + header.length + 4 * i);
  fs.writeFileSync(path, out);
}

async function main() {
  const args = process.argv.slice(2);
  const inputs = [];
  const outputs = [];
  let model = null;
  let repeat = 0;
  let threads = 1;
  const count = (flag, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) fail(`${flag} needs a positive integer, got '${v}'`);
    return n;
  };
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '-o') outputs.push(args[++i]);
    else if (args[i] === '--time') repeat = count('--time', args[++i]);
    else if (args[i] === '--threads') threads = count('--threads', args[++i]);
    else if (model === null) model = args[i];
    else inputs.push(args[i]);
  }
  if (!model || outputs.length === 0) fail('usage: ort-run.cjs model.onnx in.npy... -o out.npy... [--time N] [--threads T]');
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  if (inputs.length !== session.inputNames.length)
    fail(`the model takes ${session.inputNames.length} inputs, ${inputs.length} given`);
  const feeds = {};
  session.inputNames.forEach((name, i) => {
    const { type, shape, data } = readNpy(inputs[i]);
    feeds[name] = new ort.Tensor(type, data, shape);
  });
  const results = await session.run(feeds);
  if (repeat > 0) {
    let best = Infinity;
    for (let r = 0; r < repeat; ++r) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    process.stdout.write(`run: ${best.toFixed(6)} s (best of ${repeat})\n`);
  }
  if (outputs.length > session.outputNames.length)
    fail(`the model has ${session.outputNames.length} outputs, ${outputs.length} requested`);
  outputs.forEach((path, i) => {
    const t = results[session.outputNames[i]];
    writeNpy(path, t.dims, t.data);
  });
}

main().catch((e) => fail(e.message));
