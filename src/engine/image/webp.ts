// WebP through libwebp compiled to WebAssembly (the `webp.wasm` of @cwasm/webp, MIT). We instantiate
// the .wasm ourselves instead of requiring the package, whose index.js reads the file relative to its
// own folder and so breaks once bundled: the build copies webp.wasm beside the bundle instead.
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';
import { assertImageSize, type RgbaImage } from './rgbaImage';

interface WebpExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(pointer: number): void;
  WebPDecodeRGBA(data: number, size: number, width: number, height: number): number;
}

const instances = new Map<string, WebpExports>();

/** Where webp.wasm is: beside the bundle (dist/), else in node_modules (tests, scripts). */
export function defaultWebpWasmPath(): string {
  const besideBundle = path.join(__dirname, 'webp.wasm');
  if (fs.existsSync(besideBundle)) return besideBundle;
  try {
    return require.resolve('@cwasm/webp/webp.wasm');
  } catch {
    return besideBundle;
  }
}

function libwebp(wasmPath: string, fileName: string): WebpExports {
  let exports = instances.get(wasmPath);
  if (!exports) {
    if (!fs.existsSync(wasmPath)) throw new UserError(`cannot decode WebP here: the decoder ${wasmPath} is missing`, fileName);
    // libwebp never does I/O; these WASI imports only exist because the toolchain links them.
    const unused = () => {
      throw new Error('WASI call from libwebp');
    };
    const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
    const instance = new WebAssembly.Instance(module, {
      wasi_snapshot_preview1: { fd_close: unused, fd_seek: unused, fd_write: unused },
    });
    exports = instance.exports as unknown as WebpExports;
    instances.set(wasmPath, exports);
  }
  return exports;
}

/** Canvas size from the first chunk (VP8X, VP8 or VP8L), read before libwebp allocates anything. */
function webpSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 30) return null;
  const chunk = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  const d = 20; // chunk payload
  if (chunk === 'VP8X') {
    return {
      width: 1 + (bytes[d + 4] | (bytes[d + 5] << 8) | (bytes[d + 6] << 16)),
      height: 1 + (bytes[d + 7] | (bytes[d + 8] << 8) | (bytes[d + 9] << 16)),
    };
  }
  if (chunk === 'VP8L') {
    const bits = bytes[d + 1] | (bytes[d + 2] << 8) | (bytes[d + 3] << 16) | (bytes[d + 4] << 24);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') {
    return { width: (bytes[d + 6] | (bytes[d + 7] << 8)) & 0x3fff, height: (bytes[d + 8] | (bytes[d + 9] << 8)) & 0x3fff };
  }
  return null;
}

export function decodeWebp(bytes: Uint8Array, fileName: string, wasmPath = defaultWebpWasmPath()): RgbaImage {
  const size = webpSize(bytes);
  if (!size && bytes.length < 30) throw new UserError('truncated WebP: the file ends inside its header', fileName);
  if (!size) throw new UserError('corrupt WebP: no VP8, VP8L or VP8X chunk at the start', fileName);
  assertImageSize(size.width, size.height, fileName);
  const webp = libwebp(wasmPath, fileName);
  const input = webp.malloc(bytes.byteLength);
  const dims = webp.malloc(8);
  try {
    new Uint8Array(webp.memory.buffer, input, bytes.byteLength).set(bytes);
    const output = webp.WebPDecodeRGBA(input, bytes.byteLength, dims, dims + 4);
    if (output === 0) {
      throw new UserError('corrupt, truncated or animated WebP: libwebp could not decode it', fileName);
    }
    const [width, height] = new Uint32Array(webp.memory.buffer, dims, 2);
    // Copy out before free: the wasm memory is reused by the next decode.
    const data = new Uint8ClampedArray(width * height * 4);
    data.set(new Uint8Array(webp.memory.buffer, output, data.length));
    webp.free(output);
    return { width, height, data };
  } finally {
    webp.free(input);
    webp.free(dims);
  }
}
