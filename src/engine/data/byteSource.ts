// Random access to bytes, whether they sit in a file on disk (read at offsets, never wholly) or in memory
// (a decompressed .gz file or a deflated .npz entry). The readers only ever see a ByteSource.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { UserError } from '../errors';

export interface ByteSource {
  readonly size: number;
  /**
   * Exactly `length` bytes from `offset`, in a fresh array the caller owns (its buffer may be transferred
   * to a worker); fails if the source is shorter.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** How much a .gz file or a deflated .npz entry may expand to before we refuse it. */
export const DEFAULT_MAX_INFLATED_BYTES = 512 * 1024 * 1024;

export async function openFileSource(path: string): Promise<ByteSource> {
  const handle = await fs.promises.open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw new UserError(`file ended at byte ${offset + done}, expected ${offset + length}`, path);
        done += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}

export function memorySource(bytes: Uint8Array): ByteSource {
  let data: Uint8Array | undefined = bytes;
  return {
    size: bytes.length,
    async read(offset, length) {
      if (!data) throw new Error('read after close');
      if (offset + length > data.length) throw new RangeError(`bytes [${offset}, ${offset + length}) beyond ${data.length}`);
      const copy = new Uint8Array(length); // not data.slice: on a Buffer that is a view, not a copy
      copy.set(data.subarray(offset, offset + length));
      return copy;
    },
    async close() {
      data = undefined; // let the decompressed bytes be collected even if the Dataset object lives on
    },
  };
}

/** A window [offset, offset+size) of another source (a stored .npz entry). Closing it leaves the parent open. */
export function sliceSource(parent: ByteSource, offset: number, size: number): ByteSource {
  return {
    size,
    read(at, length) {
      if (at + length > size) throw new RangeError(`bytes [${at}, ${at + length}) beyond ${size}`);
      return parent.read(offset + at, length);
    },
    async close() {},
  };
}

/** The first bytes of a source (fewer when the source is shorter). */
export function readHead(source: ByteSource, length: number): Promise<Uint8Array> {
  return source.read(0, Math.min(length, source.size));
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Decompresses a .gz file by streaming it through zlib, stopping with a UserError as soon as the output
 * passes `maxBytes` (a small .gz can expand to gigabytes).
 */
export async function gunzipFile(path: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  const gunzip = zlib.createGunzip();
  fs.createReadStream(path).on('error', (e) => gunzip.destroy(e)).pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        gunzip.destroy();
        throw new UserError(`decompresses to more than ${formatMB(maxBytes)}, the limit for compressed files; decompress it first`, path);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`is not a valid gzip file (${(e as Error).message})`, path);
  }
  return Buffer.concat(chunks, total);
}

export function formatMB(bytes: number): string {
  return bytes < 1024 * 1024 ? `${bytes} bytes` : `${Math.round(bytes / (1024 * 1024))} MB`;
}
