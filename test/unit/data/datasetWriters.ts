// Writers for the test fixtures, written from the format descriptions (not from the readers), and a known
// set of images whose every pixel can be recomputed with a formula.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const PIXELS = 784;

/** Pixel k of image i: a formula that covers 0 and 255 and differs between images and positions. */
export function pixelOf(i: number, k: number): number {
  if (k === 0) return 0;
  if (k === 1) return 255;
  return (i * 31 + k * 7 + ((i * k) % 13)) & 255;
}

export function makeImages(count: number): Uint8Array {
  const out = new Uint8Array(count * PIXELS);
  for (let i = 0; i < count; i++) for (let k = 0; k < PIXELS; k++) out[i * PIXELS + k] = pixelOf(i, k);
  return out;
}

export function labelOf(i: number): number {
  return (i * 7 + 3) % 10;
}

export function makeLabels(count: number): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => labelOf(i));
}

const tempDirs: string[] = [];
process.on('exit', () => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-data-'));
  tempDirs.push(dir);
  return dir;
}

/** IDX header: 0x00 0x00 0x08 ndims, then each dimension as a big-endian uint32. */
export function idxHeader(magic: number, dims: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return header;
}

export function idxImages(images: Uint8Array, count = images.length / PIXELS): Buffer {
  return Buffer.concat([idxHeader(0x00000803, [count, 28, 28]), images]);
}

export function idxLabels(labels: Uint8Array, count = labels.length): Buffer {
  return Buffer.concat([idxHeader(0x00000801, [count]), labels]);
}

/**
 * A .npy file per numpy's format spec: "\x93NUMPY", version, header length (uint16 for 1.0, uint32 for
 * 2.0/3.0), a dict literal padded with spaces and ended by '\n' so the data start at a multiple of 64.
 */
export function npyBytes(
  descr: string,
  shape: number[],
  data: ArrayBufferView,
  options: { version?: 1 | 2 | 3; fortranOrder?: boolean } = {},
): Buffer {
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  const padded = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(padded - prefix - 1, ' ') + '\n';
  const head = Buffer.alloc(prefix);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = version;
  head[7] = 0;
  if (version === 1) head.writeUInt16LE(dict.length, 8);
  else head.writeUInt32LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** CSV text: optional header line, then per image "label,p0,...,p783" (or just pixels). */
export function csvText(
  images: Uint8Array,
  labels: Uint8Array | null,
  options: { header?: boolean; eol?: string; format?: (v: number) => string } = {},
): string {
  const eol = options.eol ?? '\n';
  const format = options.format ?? String;
  const lines: string[] = [];
  if (options.header) {
    const names = Array.from({ length: PIXELS }, (_, k) => `${Math.floor(k / 28) + 1}x${(k % 28) + 1}`);
    lines.push((labels ? ['label', ...names] : names).join(','));
  }
  const count = images.length / PIXELS;
  for (let i = 0; i < count; i++) {
    const values = Array.from(images.subarray(i * PIXELS, (i + 1) * PIXELS), format);
    lines.push((labels ? [String(labels[i]), ...values] : values).join(','));
  }
  return lines.join(eol) + eol;
}

/**
 * Made by numpy 2.4 (`np.savez_compressed(f, x_train=x, y_train=y)` with
 * x = (np.arange(2*784).reshape(2,28,28)*7 % 256).astype(np.uint8), y = np.array([3,1], dtype=np.int64)):
 * real numpy output, with the ZIP64 local headers numpy always writes.
 */
export const NUMPY_SAVEZ_COMPRESSED = `
UEsDBC0AAAAIAAAAIQDWW6VT//////////8LABQAeF90cmFpbi5ucHkBABAAoAYAAAAAAABlAQAAAAAAAJvsF+obEMnIUMZQrZ6S
WpxcpG6loF5Taqiuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CkYWIKypo1CrQA7gYmDnE5VR1jK0sHfzDYlOyiwo
r2vtmTxr4Yr12/YeOX3p5oPn777+YeYSlJBX0zWxdvIMCI9LzSmuauzonzZ3yepNOw8cP3f1zuNXH3/8Z+MVkVbSNDC3c/UJjkrM
yC+rbemeNHPB8nVb9xw+dfHG/Wdvv/xm4hQQl1PVMbZy9PAPi03JLqpsaO+bOmfxqo079h87e+X2o5cfvv9j5RGWUtTQN7N18Q6K
TEjPK61p7po4Y/6ytVt2Hzp54fq9p28+/2Lk4BeTVdE2snRw9wuNSc4qrKhv650ye9HKDdv3HT1z+dbDF++//WXhFpJUUNcztXH2
CoyIT8stqW7qnDB93tI1m3cdPHH+2t0nrz/9HPX/qP9H/T/q/1H/Y/c/AFBLAwQtAAAACAAAACEAjN4z4P//////////CwAUAHlf
dHJhaW4ubnB5AQAQAJAAAAAAAAAASgAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2mhrqOgnpZfVFKUmBefX5SSChJ3S8wp
TgWKF2ckFqQC+RpGOpo6CrUKFAAuZgYIYITSAFBLAQItAy0AAAAIAAAAIQDWW6VTZQEAAKAGAAALAAAAAAAAAAAAAACAAQAAAAB4
X3RyYWluLm5weVBLAQItAy0AAAAIAAAAIQCM3jPgSgAAAJAAAAALAAAAAAAAAAAAAACAAaIBAAB5X3RyYWluLm5weVBLBQYAAAAA
AgACAHIAAAApAgAAAAA=`;

/** Made by numpy 2.4: `np.savez(f, x=x, y=y)`, x = (np.arange(784).reshape(1,784)*7 % 256).astype(np.uint8), y = [3] int64. */
export const NUMPY_SAVEZ_STORED = `
UEsDBC0AAAAAAAAAIQAx2mMm//////////8FABQAeC5ucHkBABAAkAMAAAAAAACQAwAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzog
J3x1MScsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgxLCA3ODQpLCB9ICAgICAgICAgICAgICAgICAgICAgICAg
ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71/AMKERgf
Ji00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc4+rx+P8GDRQbIikwNz5FTFNaYWhvdn2Ei5KZoKeutbzDytHY3+bt9PsCCRAXHiUs
MzpBSE9WXWRrcnmAh46VnKOqsbi/xs3U2+Lp8Pf+BQwTGiEoLzY9REtSWWBnbnV8g4qRmJ+mrbS7wsnQ197l7PP6AQgPFh0kKzI5
QEdOVVxjanF4f4aNlJuiqbC3vsXM09rh6O/2/QQLEhkgJy41PENKUVhfZm10e4KJkJeepayzusHIz9bd5Ovy+QAHDhUcIyoxOD9G
TVRbYmlwd36FjJOaoaivtr3Ey9LZ4Ofu9fwDChEYHyYtNDtCSVBXXmVsc3qBiI+WnaSrsrnAx87V3OPq8fj/Bg0UGyIpMDc+RUxT
WmFob3Z9hIuSmaCnrrW8w8rR2N/m7fT7AgkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1Nvi6fD3/gUMExohKC82PURLUllg
Z251fIOKkZifpq20u8LJ0Nfe5ezz+gEIDxYdJCsyOUBHTlVcY2pxeH+GjZSboqmwt77FzNPa4ejv9v0ECxIZICcuNTxDSlFYX2Zt
dHuCiZCXnqWss7rByM/W3eTr8vkABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vX8AwoRGB8mLTQ7QklQV15lbHN6
gYiPlp2kq7K5wMfO1dzj6vH4/wYNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vMPK0djf5u30+wIJEBceJSwzOkFIT1ZdZGtyeYCH
jpWco6qxuL/GzdTb4unw9/4FDBMaISgvNj1ES1JZYGdudXyDipGYn6attLvCydDX3uXs8/oBCA8WHSQrMjlAR05VXGNqcXh/ho2U
m6KpsLe+xczT2uHo7/b9BAsSGSAnLjU8Q0pRWF9mbXR7gomQl56lrLO6wcjP1t3k6/L5AAcOFRwjKjE4P0ZNVFtiaVBLAwQtAAAA
AAAAACEAQ50xHP//////////BQAUAHkubnB5AQAQAIgAAAAAAAAAiAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8aTgnLCAn
Zm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMSwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg
ICAgICAgICAgICAgICAgICAgICAgICAgCgMAAAAAAAAAUEsBAi0DLQAAAAAAAAAhADHaYyaQAwAAkAMAAAUAAAAAAAAAAAAAAIAB
AAAAAHgubnB5UEsBAi0DLQAAAAAAAAAhAEOdMRyIAAAAiAAAAAUAAAAAAAAAAAAAAIABxwMAAHkubnB5UEsFBgAAAAACAAIAZgAA
AIYEAAAAAA==`;

export function fromBase64(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64');
}

/**
 * Channel c of pixel p (row-major, p = y·width + x) of image i, for colour and odd-sized fixtures: covers
 * 0 and 255, and differs between images, positions and channels, so a mixed-up axis shows.
 */
export function valueOf(i: number, p: number, c: number): number {
  if (p === 0) return c === 1 ? 255 : 0;
  return (i * 37 + p * 11 + c * 89 + ((i * p + 3 * c) % 7)) & 255;
}

/** `count` images of height × width × channels, HWC (channels last), from valueOf. */
export function makeHwc(count: number, height: number, width: number, channels: number): Uint8Array {
  const out = new Uint8Array(count * height * width * channels);
  let at = 0;
  for (let i = 0; i < count; i++) for (let p = 0; p < height * width; p++) for (let c = 0; c < channels; c++) out[at++] = valueOf(i, p, c);
  return out;
}

/** The same images as makeHwc stored channels first (CHW): all of channel 0, then channel 1, ... */
export function makeChw(count: number, height: number, width: number, channels: number): Uint8Array {
  const out = new Uint8Array(count * height * width * channels);
  let at = 0;
  for (let i = 0; i < count; i++) for (let c = 0; c < channels; c++) for (let p = 0; p < height * width; p++) out[at++] = valueOf(i, p, c);
  return out;
}

/**
 * CIFAR binary records as the CIFAR page describes them: per image the label byte (CIFAR-100: coarse,
 * then fine), then 1024 red, 1024 green, 1024 blue bytes, each plane row-major. Pixels from valueOf.
 */
export function cifarBytes(count: number, variant: 10 | 100, fine: (i: number) => number, coarse: (i: number) => number = () => 0): Buffer {
  const labelBytes = variant === 10 ? 1 : 2;
  const record = labelBytes + 3072;
  const out = Buffer.alloc(count * record);
  for (let i = 0; i < count; i++) {
    const at = i * record;
    if (variant === 100) out[at] = coarse(i);
    out[at + labelBytes - 1] = fine(i);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[at + labelBytes + c * 1024 + p] = valueOf(i, p, c);
  }
  return out;
}

/** Writes `files` (relative path → bytes) under a fresh temporary folder; returns the folder. */
export function writeTree(files: Record<string, Uint8Array | string>): string {
  const root = tempDir();
  for (const [rel, bytes] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }
  return root;
}
