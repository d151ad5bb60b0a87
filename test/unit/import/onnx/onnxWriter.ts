// A small ONNX writer for tests and the benchmark: graphs spelled out node by node, encoded with the same
// protobuf schema the import decodes (onnx-proto's protobufjs classes). Written models are run by
// onnxruntime-web as the independent reference.
import * as fs from 'fs';
import * as path from 'path';
import { onnx } from 'onnx-proto';

export type Attr =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] }
  | { t: onnx.ITensorProto };

export const ints = (v: number[]): Attr => ({ ints: v });
export const int = (v: number): Attr => ({ i: v });
export const float = (v: number): Attr => ({ f: v });
export const str = (v: string): Attr => ({ s: v });

const T = onnx.TensorProto.DataType;

export function floatTensor(name: string, dims: number[], data: ArrayLike<number>, how: 'raw' | 'field' | 'float16' | 'double' = 'raw'): onnx.ITensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`tensor ${name}: ${data.length} values for [${dims}]`);
  switch (how) {
    case 'field':
      return { name, dims, dataType: T.FLOAT, floatData: Array.from(data) };
    case 'double':
      return { name, dims, dataType: T.DOUBLE, rawData: new Uint8Array(Float64Array.from(data).buffer) };
    case 'float16':
      return { name, dims, dataType: T.FLOAT16, rawData: new Uint8Array(Uint16Array.from(data, toHalf).buffer) };
    default:
      return { name, dims, dataType: T.FLOAT, rawData: new Uint8Array(Float32Array.from(data).buffer) };
  }
}

export function int64Tensor(name: string, dims: number[], data: number[]): onnx.ITensorProto {
  const bytes = new Uint8Array(8 * data.length);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { name, dims, dataType: T.INT64, rawData: bytes };
}

/** Nearest binary16 of a number (round to nearest even), as its bits. */
export function toHalf(v: number): number {
  const f32 = new Float32Array([v]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    const half = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (half + (rest > halfway || (rest === halfway && half & 1) ? 1 : 0));
  }
  if (exponent >= 31) return sign | 0x7c00;
  const half = (exponent << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/** A model under construction. Dims use null for a symbolic dimension (exported as "batch"). */
export class OnnxModelWriter {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private counter = 0;

  constructor(readonly opset = 13) {}

  input(name: string, dims: Array<number | string | null>, elemType: number = T.FLOAT): string {
    this.inputs.push(valueInfo(name, dims, elemType));
    return name;
  }

  /** Declares an output; without dims its shape is left undeclared. */
  output(name: string, dims?: Array<number | string | null>): void {
    this.outputs.push(valueInfo(name, dims, T.FLOAT));
  }

  initializer(t: onnx.ITensorProto): string {
    this.initializers.push(t);
    return t.name!;
  }

  weight(name: string, dims: number[], data: ArrayLike<number>): string {
    return this.initializer(floatTensor(name, dims, data));
  }

  ints(name: string, data: number[]): string {
    return this.initializer(int64Tensor(name, [data.length], data));
  }

  /** Adds a node; returns its first output's name (generated unless given). */
  node(opType: string, inputs: string[], attributes: Record<string, Attr> = {}, outputs?: string[], name?: string): string {
    const outs = outputs ?? [`${opType.toLowerCase()}_${this.counter++}`];
    this.nodes.push({
      opType,
      name: name ?? outs[0],
      input: inputs,
      output: outs,
      attribute: Object.entries(attributes).map(([key, a]) => attribute(key, a)),
    });
    return outs[0];
  }

  /** A Constant node holding `t`. */
  constant(t: onnx.ITensorProto, output?: string): string {
    return this.node('Constant', [], { value: { t } }, output ? [output] : undefined);
  }

  encode(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: this.opset >= 21 ? 10 : this.opset >= 15 ? 8 : 7,
      producerName: 'explain-image tests',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: { name: 'g', node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  save(file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, this.encode());
    return file;
  }
}

function valueInfo(name: string, dims: Array<number | string | null> | undefined, elemType: number): onnx.IValueInfoProto {
  const shape = dims ? { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d ?? 'batch' })) } : undefined;
  return { name, type: { tensorType: { elemType, shape } } };
}

function attribute(name: string, a: Attr): onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if ('i' in a) return { name, type: A.INT, i: a.i };
  if ('f' in a) return { name, type: A.FLOAT, f: a.f };
  if ('s' in a) return { name, type: A.STRING, s: new TextEncoder().encode(a.s) };
  if ('ints' in a) return { name, type: A.INTS, ints: a.ints };
  if ('floats' in a) return { name, type: A.FLOATS, floats: a.floats };
  return { name, type: A.TENSOR, t: a.t };
}
