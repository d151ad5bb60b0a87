// Structure-aware damage to model files, seeded like mutations.ts: what a hostile or clumsy author can put in
// a model that byte flips rarely reach. ONNX at the protobuf level (op types, dims, attributes, external data
// entries and their paths, node order and cycles, huge shapes and constants, long chains), JSON (Keras
// configs, model.json, cards: values, types, nesting, duplicated and missing parts) and zip structure (ZIP64
// entry counts, sizes, offsets, bombs). Each mutation says what it did; those that must be refused (a path
// out of the folder, a FIFO) say so, and the runner checks the refusal.
import { deflateSync, zipSync } from 'fflate';
import { onnx } from 'onnx-proto';
import type { CaseMutation } from './fuzzTargets';
import { mutate } from './mutations';
import { CANARY } from './fuzzRunner';

type Random = () => number;

const int = (random: Random, k: number) => Math.floor(random() * k);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)];

/** Numbers that break sizes, indices and loops. */
const HOSTILE_INTS = [0, -1, -2, 1, 2, 3, 30000, 65535, 1e6, 1e9, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 53, -(2 ** 53), 40000];
const HOSTILE_FLOATS = [NaN, Infinity, -Infinity, 0, -0, 1e38, -1e38, 1e-45, 1, -1, 0.5];
/** Op types: supported, folded, unsupported, control flow, made up. */
const OP_TYPES = [
  'Conv', 'Gemm', 'MatMul', 'Relu', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Flatten', 'Reshape', 'Transpose', 'Pad', 'Concat',
  'Add', 'Sub', 'Mul', 'Div', 'BatchNormalization', 'Softmax', 'Squeeze', 'Unsqueeze', 'Shape', 'Gather', 'Slice', 'Cast', 'ConstantOfShape',
  'Constant', 'Identity', 'Sigmoid', 'Clip', 'PRelu', 'Resize', 'Upsample', 'Expand', 'Tile', 'Range', 'Loop', 'If', 'Scan', 'NonZero', 'Where', 'Xyzzy', '',
];
const ATTRIBUTE_NAMES = ['pads', 'strides', 'kernel_shape', 'dilations', 'group', 'axis', 'axes', 'perm', 'auto_pad', 'ceil_mode', 'value', 'to', 'alpha', 'beta', 'transB', 'keepdims', 'mode', 'starts', 'ends', 'shape'];

/** Where a damaged initializer's external data may be said to lie, and whether that must be refused. */
export function externalLocations(root: string): Array<{ location: string; refuse: boolean }> {
  return [
    { location: 'ext.bin', refuse: false },
    { location: './ext.bin', refuse: false },
    { location: 'sub/../ext.bin', refuse: false },
    { location: `../${CANARY}`, refuse: true },
    { location: `../../${CANARY}`, refuse: true },
    { location: `sub/../../${CANARY}`, refuse: true },
    { location: `${root}/${CANARY}`, refuse: true },
    { location: 'link-out.bin', refuse: true }, // a symlink in the folder to the canary outside it
    { location: 'link-fifo', refuse: true }, // a symlink to a FIFO outside: opening it would hang
    { location: 'fifo-inside', refuse: true }, // a FIFO inside the folder
    { location: 'dev-zero', refuse: true }, // a symlink to /dev/zero
    { location: '/dev/zero', refuse: true },
    { location: '/etc/passwd', refuse: true },
    { location: 'file:///etc/passwd', refuse: true },
    { location: 'http://example.invalid/w.bin', refuse: true },
    { location: 'C:\\w.bin', refuse: true },
    { location: 'sub', refuse: true }, // a folder
    { location: '..', refuse: true },
    { location: '', refuse: true },
    { location: 'ext.bin\u0000.txt', refuse: true },
    { location: 'missing.bin', refuse: true },
    { location: 'x'.repeat(5000), refuse: true },
  ];
}

/** What a refusal of a path or a non-regular file says (confinedFiles.ts). */
export const CONFINEMENT_REFUSAL = /leaves the model's folder|links outside the model's folder|is a URL|absolute path|not a regular file|cannot be read|names no file|NUL character/;

/** One to three structural damages to an ONNX model (falls back to byte damage when encoding fails). */
export function mutateOnnx(bytes: Uint8Array, random: Random, root: string): CaseMutation {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph as onnx.GraphProto;
  const what: string[] = [];
  const extraFiles: Record<string, Uint8Array> = {};
  let mustRefuse: RegExp | undefined;
  const steps = random() < 0.6 ? 1 : random() < 0.6 ? 2 : 3;
  for (let s = 0; s < steps; s++) {
    const nodes = graph.node;
    const kind = random();
    if (kind < 0.12 && nodes.length) {
      const n = nodes[int(random, nodes.length)];
      n.opType = pick(random, OP_TYPES);
      what.push(`node ${n.name} op → ${n.opType}`);
    } else if (kind < 0.3 && nodes.length) {
      const n = nodes[int(random, nodes.length)];
      what.push(`node ${n.name}: ${mutateAttribute(n, random)}`);
    } else if (kind < 0.42 && graph.initializer.length) {
      const t = graph.initializer[int(random, graph.initializer.length)];
      what.push(`initializer ${t.name}: ${mutateDims(t, random)}`);
    } else if (kind < 0.5 && graph.input.length) {
      const dims = graph.input[0].type?.tensorType?.shape?.dim ?? [];
      const r = random();
      if (r < 0.3 && dims.length) {
        const d = dims[int(random, dims.length)];
        const v = pick(random, HOSTILE_INTS);
        d.dimValue = v;
        delete (d as { dimParam?: string }).dimParam;
        what.push(`input dim → ${v}`);
      } else if (r < 0.5 && dims.length) {
        const d = dims[int(random, dims.length)];
        delete (d as { dimValue?: unknown }).dimValue;
        d.dimParam = 'height';
        what.push('input dim → symbolic');
      } else {
        const extra = int(random, 60);
        for (let i = 0; i < extra; i++) dims.push(onnx.TensorShapeProto.Dimension.create({ dimValue: 1 }));
        what.push(`input rank + ${extra}`);
      }
    } else if (kind < 0.58 && nodes.length > 1) {
      const a = int(random, nodes.length);
      const b = int(random, nodes.length);
      const r = random();
      if (r < 0.4) {
        [nodes[a], nodes[b]] = [nodes[b], nodes[a]];
        what.push(`nodes ${a} ↔ ${b}`);
      } else if (r < 0.6) {
        nodes.reverse();
        what.push('nodes reversed');
      } else if (r < 0.8 && nodes[a].input?.length && nodes[Math.max(a, b)].output?.length) {
        // A cycle or a forward reference: node a reads what a later node (or itself) writes.
        nodes[a].input![0] = nodes[Math.max(a, b)].output![0];
        what.push(`node ${a} reads node ${Math.max(a, b)}'s output`);
      } else {
        nodes.splice(b, 0, onnx.NodeProto.create(nodes[a]));
        what.push(`node ${a} duplicated at ${b}`);
      }
    } else if (kind < 0.62 && nodes.length) {
      nodes.splice(int(random, nodes.length), 1);
      what.push('a node deleted');
    } else if (kind < 0.7) {
      what.push(insertHugeShape(graph, random));
    } else if (kind < 0.74) {
      what.push(insertChain(graph, random));
    } else if (kind < 0.9 && graph.initializer.length) {
      const t = graph.initializer[int(random, graph.initializer.length)];
      const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
      if (!raw) continue;
      const place = pick(random, externalLocations(root));
      const offsetKind = random();
      const entries: Array<[string, string]> = [['location', place.location]];
      if (offsetKind < 0.7) entries.push(['offset', '0'], ['length', String(raw.length)]);
      else entries.push(['offset', String(pick(random, [-1, 1e20, 3, 2 ** 53, 0]))], ['length', pick(random, ['-5', 'abc', '1e300', String(raw.length + 4), '0'])]);
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.externalData = entries.map(([key, value]) => onnx.StringStringEntryProto.create({ key, value }));
      t.rawData = new Uint8Array(0);
      extraFiles['ext.bin'] = new Uint8Array(raw);
      // Checked when it is the only damage (another one could stop the load before this tensor is read).
      if (place.refuse && offsetKind < 0.7 && steps === 1) mustRefuse = CONFINEMENT_REFUSAL;
      what.push(`initializer ${t.name} external at ${JSON.stringify(place.location.slice(0, 40))} (${entries.slice(1).map((e) => e.join('=')).join(', ')})`);
    } else if (nodes.length) {
      const n = nodes[int(random, nodes.length)];
      const long = pick(random, ['x'.repeat(20000), 'a\nb\u0000c\u001b[31m', '\u2028', '"quoted"', '']);
      if (random() < 0.5) n.name = long;
      else if (n.output?.length) n.output[0] = long;
      what.push(`node name/output → ${JSON.stringify(long.slice(0, 12))}… (${long.length})`);
    }
  }
  try {
    return { bytes: onnx.ModelProto.encode(model).finish(), what: what.join(', '), extraFiles, mustRefuse };
  } catch (e) {
    return { ...mutate(bytes, random), what: `encode failed (${(e as Error).message}), bytes damaged instead` };
  }
}

function mutateAttribute(n: onnx.INodeProto, random: Random): string {
  const A = onnx.AttributeProto.AttributeType;
  const attrs = (n.attribute ??= []);
  if (!attrs.length || random() < 0.3) {
    const name = pick(random, ATTRIBUTE_NAMES);
    const a = random() < 0.5 ? { name, type: A.INTS, ints: Array.from({ length: 1 + int(random, 6) }, () => pick(random, HOSTILE_INTS)) } : { name, type: A.INT, i: pick(random, HOSTILE_INTS) };
    attrs.push(onnx.AttributeProto.create(a));
    return `attribute ${name} added: ${JSON.stringify(a.ints ?? a.i)}`;
  }
  const a = attrs[int(random, attrs.length)];
  const r = random();
  if (a.ints && a.ints.length && r < 0.5) {
    const k = int(random, a.ints.length);
    const v = pick(random, HOSTILE_INTS);
    a.ints[k] = v;
    return `${a.name}[${k}] = ${v}`;
  }
  if (r < 0.6) {
    a.ints = Array.from({ length: pick(random, [0, 1, 3, 100, 10000]) }, () => pick(random, HOSTILE_INTS));
    a.type = A.INTS;
    return `${a.name} = ${a.ints.length} ints`;
  }
  if (r < 0.75) {
    a.i = pick(random, HOSTILE_INTS);
    a.type = A.INT;
    return `${a.name} = ${a.i}`;
  }
  if (r < 0.85) {
    a.f = pick(random, HOSTILE_FLOATS);
    a.type = A.FLOAT;
    return `${a.name} = ${a.f}`;
  }
  if (r < 0.92 && a.t) return `${a.name}.t: ${mutateDims(a.t, random)}`;
  a.s = new TextEncoder().encode(pick(random, ['SAME_UPPER', 'VALID', 'reflect', 'edge', 'x'.repeat(10000), '\n']));
  a.type = A.STRING;
  return `${a.name} = a string`;
}

function mutateDims(t: onnx.ITensorProto, random: Random): string {
  const dims = (t.dims ??= []);
  const r = random();
  if (r < 0.5 && dims.length) {
    const k = int(random, dims.length);
    dims[k] = pick(random, HOSTILE_INTS);
    return `dims[${k}] = ${dims[k]}`;
  }
  if (r < 0.7) {
    const extra = pick(random, [1, 20, 100, 1000]);
    for (let i = 0; i < extra; i++) dims.push(1);
    return `rank + ${extra}`;
  }
  if (r < 0.85) {
    t.dataType = pick(random, [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 14, 16, 99]);
    return `data type → ${t.dataType}`;
  }
  t.rawData = new Uint8Array(0);
  t.floatData = [];
  return 'data removed';
}

/** A node whose output is absurdly large: ConstantOfShape([40000, 40000]), a Pad of 30,000, a broadcast. */
function insertHugeShape(graph: onnx.IGraphProto, random: Random): string {
  const input = graph.input?.[0]?.name ?? 'input';
  const nodes = graph.node!;
  const inits = graph.initializer!;
  const T = onnx.TensorProto.DataType;
  const int64 = (name: string, values: number[]) => {
    const raw = new Uint8Array(8 * values.length);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(Math.trunc(v)), true));
    inits.push(onnx.TensorProto.create({ name, dims: [values.length], dataType: T.INT64, rawData: raw }));
    return name;
  };
  const readers = nodes.filter((n) => n.input?.includes(input));
  const r = random();
  if (r < 0.35 && readers.length) {
    // Pad in front of the input's readers, pads as an input (opset ≥ 11) and as an attribute.
    const p = pick(random, [30000, 1e9, 2 ** 31 - 1, 5000]);
    const pads = int64('fuzz_pads', [0, 0, p, p, 0, 0, p, p]);
    nodes.unshift(onnx.NodeProto.create({ opType: 'Pad', name: 'fuzz_pad', input: [input, pads], output: ['fuzz_padded'], attribute: [{ name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 0, p, p, 0, 0, p, p] }] }));
    for (const n of readers) n.input = n.input!.map((x) => (x === input ? 'fuzz_padded' : x));
    return `Pad of ${p} before the input's readers`;
  }
  const size = pick(random, [40000, 1e5, 2 ** 16, 5000]);
  const shape = int64('fuzz_shape', r < 0.7 ? [size, size] : [1, size, size, 3]);
  nodes.unshift(onnx.NodeProto.create({ opType: 'ConstantOfShape', name: 'fuzz_cos', input: [shape], output: ['fuzz_big'] }));
  if (r < 0.85 && nodes.length > 1) {
    // The huge constant is used: added to the first Add/Mul/Gemm input there is.
    const target = nodes.find((n) => ['Add', 'Mul', 'Sub', 'Div', 'Gemm', 'MatMul', 'Reshape', 'Concat'].includes(n.opType ?? ''));
    if (target?.input?.length) target.input[target.input.length - 1] = 'fuzz_big';
    return `ConstantOfShape of ${size}² read by ${target?.opType ?? 'nothing'}`;
  }
  // A broadcast of two constants [size, 1] + [1, size].
  const a = int64('fuzz_col', [size, 1]);
  const b = int64('fuzz_row', [1, size]);
  nodes.unshift(
    onnx.NodeProto.create({ opType: 'ConstantOfShape', name: 'fuzz_a', input: [a], output: ['fuzz_ca'] }),
    onnx.NodeProto.create({ opType: 'ConstantOfShape', name: 'fuzz_b', input: [b], output: ['fuzz_cb'] }),
    onnx.NodeProto.create({ opType: 'Add', name: 'fuzz_broadcast', input: ['fuzz_ca', 'fuzz_cb'], output: ['fuzz_sum'] }),
  );
  return `broadcast of [${size}, 1] + [1, ${size}]`;
}

/** A chain of N Relu/Identity nodes right after the input: depth without recursion. */
function insertChain(graph: onnx.IGraphProto, random: Random): string {
  const input = graph.input?.[0]?.name ?? 'input';
  const nodes = graph.node!;
  const n = pick(random, [500, 3000, 6000, 12000, 25000]);
  const readers = nodes.filter((x) => x.input?.includes(input));
  const chain: onnx.INodeProto[] = [];
  let last = input;
  for (let i = 0; i < n; i++) {
    const out = `fuzz_chain_${i}`;
    chain.push(onnx.NodeProto.create({ opType: i % 2 ? 'Identity' : 'Relu', name: out, input: [last], output: [out] }));
    last = out;
  }
  for (const r of readers) r.input = r.input!.map((x) => (x === input ? last : x));
  nodes.unshift(...chain);
  return `chain of ${n} nodes after the input`;
}

// ---- JSON ---------------------------------------------------------------------------------------------

const CLASS_NAMES = ['Conv2D', 'Dense', 'ZeroPadding2D', 'Reshape', 'Flatten', 'Add', 'Concatenate', 'Lambda', 'LSTM', 'Sequential', 'Functional', 'Model', 'InputLayer', 'BatchNormalization', 'Xyzzy'];

/** One to three damages to a JSON value (a Keras config, a model.json, a card), returned as text. */
export function mutateJsonText(text: string, random: Random): { text: string; what: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { text, what: 'unparsable, left as is' };
  }
  const what: string[] = [];
  const steps = random() < 0.6 ? 1 : random() < 0.6 ? 2 : 3;
  for (let s = 0; s < steps; s++) {
    const spots = jsonSpots(value);
    if (spots.length === 0) break;
    const spot = pick(random, spots);
    const old = spot.get();
    const r = random();
    let next: unknown;
    if (typeof old === 'number' && r < 0.5) next = pick(random, [...HOSTILE_INTS, 1.5, -0.5, 1e308, -1e308]);
    else if (spot.key === 'class_name' && r < 0.6) next = pick(random, CLASS_NAMES);
    else if (Array.isArray(old) && r < 0.35 && old.length && old.length < 100000) {
      next = [...old, ...old]; // duplicated layers, labels, inbound nodes
    } else if (Array.isArray(old) && r < 0.5) next = old.slice(0, int(random, old.length));
    else if (r < 0.6) next = pick(random, [null, true, 'x'.repeat(pick(random, [1, 100, 100000])), [], {}, -1, 0]);
    else if (r < 0.7) next = deepNesting(pick(random, [50, 500, 3000]));
    else if (r < 0.8) next = Array.from({ length: pick(random, [3, 1000, 200000]) }, (_, i) => (typeof old === 'string' ? `${old}${i}` : pick(random, HOSTILE_INTS)));
    else if (r < 0.9) next = undefined; // removed
    else next = pick(random, [[1e9, 1e9, 3], [[1e9, 1e9], [1e9, 1e9]], [null, 1e6, 1e6, 3], [30000, 30000], [0, 0, 0]]);
    spot.set(next);
    what.push(`${spot.path} → ${describe(next)}`);
  }
  let out: string;
  try {
    out = JSON.stringify(value);
  } catch {
    out = text;
  }
  // Sometimes the text itself: cut, or a deep nesting that only a scan sees (JSON.stringify would recurse).
  const r = random();
  if (r < 0.06) {
    const cut = int(random, out.length);
    out = out.slice(0, cut);
    what.push(`cut at ${cut}`);
  } else if (r < 0.1) {
    const depth = pick(random, [1000, 100000, 1000000]);
    out = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    what.push(`replaced by ${depth} nested arrays`);
  }
  return { text: out, what: what.join(', ') };
}

interface Spot {
  path: string;
  key: string;
  get(): unknown;
  set(v: unknown): void;
}

/** Places in a JSON value (iteratively, at most MAX_SPOTS of them, the first elements of long arrays). */
function jsonSpots(root: unknown): Spot[] {
  const MAX_SPOTS = 20000;
  const spots: Spot[] = [];
  const stack: Array<{ v: unknown; path: string }> = [{ v: root, path: '$' }];
  while (stack.length && spots.length < MAX_SPOTS) {
    const { v, path } = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && spots.length < MAX_SPOTS && i < 1000; i++) {
        spots.push({ path: `${path}[${i}]`, key: String(i), get: () => v[i], set: (n) => (n === undefined ? v.splice(i, 1) : (v[i] = n)) });
        stack.push({ v: v[i], path: `${path}[${i}]` });
      }
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o).slice(0, 1000)) {
        spots.push({ path: `${path}.${k}`, key: k, get: () => o[k], set: (n) => (n === undefined ? delete o[k] : (o[k] = n)) });
        stack.push({ v: o[k], path: `${path}.${k}` });
      }
    }
  }
  return spots;
}

function deepNesting(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'removed';
  if (typeof v === 'string') return `"${v.slice(0, 10)}…" (${v.length})`;
  if (Array.isArray(v)) return `array of ${v.length}`;
  if (v && typeof v === 'object') return 'object';
  return String(v);
}

// ---- zip ----------------------------------------------------------------------------------------------

/** Deflated members that inflate far beyond any budget (made once: deflating them takes a moment). */
let bombs: { config: Uint8Array; configSize: number } | undefined;

function bomb(): { config: Uint8Array; configSize: number } {
  if (!bombs) {
    const size = 80 * 2 ** 20; // over the 64 MB JSON budget
    const text = new Uint8Array(size).fill(0x20);
    text[0] = 0x7b;
    text[size - 1] = 0x7d;
    bombs = { config: deflateSync(text, { level: 9 }), configSize: size };
  }
  return bombs;
}

/**
 * One damage to a .keras archive: its config.json's JSON (the archive rebuilt), or its zip structure
 * (a ZIP64 record claiming 10^8 entries, sizes and offsets that lie, a bomb member).
 */
export function mutateKerasArchive(bytes: Uint8Array, members: Record<string, Uint8Array>, random: Random): CaseMutation {
  const r = random();
  const level = random() < 0.5 ? 0 : 6;
  if (r < 0.55 && members['config.json']) {
    const m = mutateJsonText(new TextDecoder().decode(members['config.json']), random);
    const out = { ...members, 'config.json': new TextEncoder().encode(m.text) };
    return { bytes: zipSync(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [v, { level }]])) as Parameters<typeof zipSync>[0]), what: `config.json: ${m.what}` };
  }
  if (r < 0.65) {
    const b = bomb();
    const lie = random() < 0.5;
    return { bytes: withMember(members, 'config.json', b.config, lie ? 1000 : b.configSize), what: `config.json a bomb of ${b.configSize} bytes${lie ? ' declared as 1000' : ''}` };
  }
  const eocd = findEocd(bytes);
  if (eocd < 0) return { ...mutate(bytes, random) };
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const r2 = random();
  if (r2 < 0.3) {
    // A ZIP64 end record and locator claiming a huge number of entries.
    const count = pick(random, [1e8, 2 ** 32, 2 ** 53 - 1, 65536]);
    const zip64 = new Uint8Array(56 + 20);
    const z = new DataView(zip64.buffer);
    const directoryOffset = view.getUint32(eocd + 16, true);
    const directorySize = view.getUint32(eocd + 12, true);
    z.setUint32(0, 0x06064b50, true);
    z.setBigUint64(4, 44n, true);
    z.setBigUint64(24, BigInt(count), true);
    z.setBigUint64(32, BigInt(count), true);
    z.setBigUint64(40, BigInt(pick(random, [directorySize, 2 ** 40])), true);
    z.setBigUint64(48, BigInt(directoryOffset), true);
    z.setUint32(56, 0x07064b50, true);
    z.setBigUint64(64, BigInt(eocd), true);
    const tail = out.slice(eocd);
    new DataView(tail.buffer).setUint16(8, 0xffff, true);
    new DataView(tail.buffer).setUint16(10, 0xffff, true);
    const joined = new Uint8Array(eocd + zip64.length + tail.length);
    joined.set(out.subarray(0, eocd));
    joined.set(zip64, eocd);
    joined.set(tail, eocd + zip64.length);
    return { bytes: joined, what: `ZIP64 record claiming ${count} entries` };
  }
  // A central directory entry's sizes or offset.
  const directoryOffset = view.getUint32(eocd + 16, true);
  const entries = view.getUint16(eocd + 10, true);
  let at = directoryOffset;
  const k = int(random, Math.max(1, entries));
  for (let i = 0; i < k && at + 46 <= out.length; i++) at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  if (at + 46 > out.length) return { ...mutate(bytes, random) };
  const field = pick(random, [[20, 'compressed size'], [24, 'size'], [42, 'local header offset'], [10, 'method'], [28, 'name length']] as const);
  const value = pick(random, [0, 1, 0xffffffff, 0x7fffffff, out.length, 1000]);
  if (field[0] === 10 || field[0] === 28) view.setUint16(at + field[0], value & 0xffff, true);
  else view.setUint32(at + field[0], value, true);
  return { bytes: out, what: `entry ${k} ${field[1]} = ${value}` };
}

/** A zip of `members` with `name` replaced by deflated `data` whose header declares `declared` bytes. */
export function withMember(members: Record<string, Uint8Array>, name: string, data: Uint8Array, declared: number): Uint8Array {
  const placeholder = new Uint8Array(data.length);
  const zip = zipSync(Object.fromEntries(Object.entries({ ...members, [name]: placeholder }).map(([k, v]) => [k, [v, { level: 0 }]])) as Parameters<typeof zipSync>[0]);
  // Rewrite the placeholder member as deflated data with the declared size, in place (same length).
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEocd(zip);
  let at = view.getUint32(eocd + 16, true);
  for (let i = 0; i < view.getUint16(eocd + 10, true); i++) {
    const nameLength = view.getUint16(at + 28, true);
    const entryName = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    if (entryName === name) {
      const local = view.getUint32(at + 42, true);
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      zip.set(data, start);
      for (const [header, offset] of [[at, 10], [local, 8]] as const) view.setUint16(header + offset, 8, true);
      view.setUint32(at + 24, declared, true);
      view.setUint32(local + 22, declared, true);
    }
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return zip;
}

/** Where a zip's end of central directory record starts (-1: none). */
export function findEocd(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) if (view.getUint32(at, true) === 0x06054b50) return at;
  return -1;
}

// ---- HDF5 ---------------------------------------------------------------------------------------------

/**
 * A Keras .h5 with its model_config attribute's JSON damaged in place: the JSON text is found in the file,
 * damaged, and written back at the same length (padded with spaces, or cut), so the HDF5 structure holds.
 */
export function mutateH5Config(bytes: Uint8Array, random: Random): CaseMutation {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const start = text.indexOf('{"class_name"');
  if (start < 0) return { ...mutate(bytes, random) };
  let depth = 0;
  let end = start;
  let inString = false;
  for (; end < text.length; end++) {
    const c = text[end];
    if (inString) {
      if (c === '\\') end++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) break;
    }
  }
  const original = text.slice(start, end + 1);
  const m = mutateJsonText(original, random);
  let replaced = m.text.length <= original.length ? m.text.padEnd(original.length, ' ') : m.text.slice(0, original.length);
  if (/[^\x00-\xff]/.test(replaced)) replaced = replaced.replace(/[^\x00-\xff]/g, '?');
  const out = bytes.slice();
  out.set(Buffer.from(replaced, 'latin1'), start);
  return { bytes: out, what: `model_config: ${m.what}${m.text.length > original.length ? ' (cut to fit)' : ''}` };
}
