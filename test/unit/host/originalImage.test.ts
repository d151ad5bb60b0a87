// A run reads each image file once (host/originalImage.ts): those bytes go to the worker and, unless
// they are not a picture a browser shows as the explained image, to the panel as the original.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { GifWriter } from 'omggif';
import { PNG } from 'pngjs';
import { decodeImage } from '../../../src/engine/image/decode';
import { originalOf, readSubject, sameOriginal } from '../../../src/host/originalImage';
import { fileSubject, sampleSubject } from '../../../src/host/subjects';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-original-'));

function png(width: number, height: number, value: number): Buffer {
  const image = new PNG({ width, height });
  image.data.fill(value);
  return PNG.sync.write(image);
}

test('a file is read into bytes for the job; an unreadable one goes as its path for the worker to name', async () => {
  const file = path.join(dir, 'grey.png');
  fs.writeFileSync(file, png(3, 2, 90));
  const source = await readSubject(fileSubject(file));
  assert.equal(source.kind, 'bytes');
  assert.ok(source.kind === 'bytes' && Buffer.from(source.bytes).equals(fs.readFileSync(file)));
  assert.equal(source.kind === 'bytes' && source.name, file);
  const missing = path.join(dir, 'missing.png');
  assert.deepEqual(await readSubject(fileSubject(missing)), { kind: 'file', path: missing });
  const sample = sampleSubject('/data/set.npy', 3, Uint8Array.of(1, 2, 3, 4), { width: 2, height: 2, channels: 1 }, 7);
  assert.equal(await readSubject(sample), sample.source, 'a dataset sample is its pixels');
});

test('the original: the bytes themselves, typed by their content, in a plain Uint8Array', () => {
  const bytes = png(4, 4, 200);
  const original = originalOf({ kind: 'bytes', name: 'named.jpg', bytes })!;
  assert.equal(original.mimeType, 'image/png', 'by the bytes, not the file name');
  assert.ok(Buffer.from(original.bytes).equals(bytes));
  assert.equal(Object.getPrototypeOf(original.bytes), Uint8Array.prototype, 'not a Buffer (it would be posted as JSON numbers)');
  assert.equal(originalOf({ kind: 'bytes', name: 'not.png', bytes: Buffer.from('<html>') }), null, 'no picture to show');
  assert.equal(originalOf({ kind: 'bytes', name: 'huge.png', bytes: new Uint8Array(8 * 1024 * 1024 + 1).fill(0x89) }), null);
  assert.equal(originalOf({ kind: 'pixels', name: 's', width: 1, height: 1, channels: 1, data: Uint8Array.of(0) }), null, 'samples have no file');
});

test('an animated GIF is shown as its first frame, the one explained, as PNG; a still GIF as it is', () => {
  const buffer = new Uint8Array(4096);
  const gif = new GifWriter(buffer, 3, 2, { palette: [0x000000, 0xffffff], loop: 0 });
  gif.addFrame(0, 0, 3, 2, [1, 0, 1, 0, 1, 0]);
  gif.addFrame(0, 0, 3, 2, [0, 0, 0, 0, 0, 0]);
  const animated = buffer.slice(0, gif.end());
  const shown = originalOf({ kind: 'bytes', name: 'a.gif', bytes: animated })!;
  assert.equal(shown.mimeType, 'image/png');
  const first = decodeImage(shown.bytes, 'first.png');
  assert.deepEqual(Array.from({ length: 6 }, (_, i) => first.data[4 * i]), [255, 0, 255, 0, 255, 0]);

  const still = new Uint8Array(4096);
  const one = new GifWriter(still, 2, 1, { palette: [0x000000, 0xffffff] });
  one.addFrame(0, 0, 2, 1, [0, 1]);
  assert.equal(originalOf({ kind: 'bytes', name: 's.gif', bytes: still.slice(0, one.end()) })!.mimeType, 'image/gif');
});

test('the same original twice is not sent again; a changed one is', () => {
  const a = originalOf({ kind: 'bytes', name: 'a.png', bytes: png(2, 2, 10) });
  const again = originalOf({ kind: 'bytes', name: 'a.png', bytes: png(2, 2, 10) });
  const changed = originalOf({ kind: 'bytes', name: 'a.png', bytes: png(2, 2, 11) });
  assert.equal(sameOriginal(a, again), true);
  assert.equal(sameOriginal(a, changed), false);
  assert.equal(sameOriginal(null, null), true);
  assert.equal(sameOriginal(a, null), false);
});
