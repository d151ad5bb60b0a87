// The host's thumbnails: samples up to 64 px a side go as their own bytes (grey 1, RGB 3 per pixel, never
// widened); larger ones are shrunk per channel with the engine's resampling, channels kept apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resizeBilinear } from '../../../../src/engine/image/resizeForModel';
import { thumbnailPixels, thumbnailSize } from '../../../../src/host/dataset/thumbnails';

describe('thumbnailSize', () => {
  it('keeps MNIST, CIFAR and 64×64 samples at their size, shrinks larger ones to 64 on the longer side', () => {
    assert.deepEqual(thumbnailSize(28, 28), { width: 28, height: 28 });
    assert.deepEqual(thumbnailSize(32, 32), { width: 32, height: 32 });
    assert.deepEqual(thumbnailSize(64, 64), { width: 64, height: 64 });
    assert.deepEqual(thumbnailSize(480, 640), { width: 64, height: 48 });
    assert.deepEqual(thumbnailSize(224, 224), { width: 64, height: 64 });
    assert.deepEqual(thumbnailSize(1000, 10), { width: 1, height: 64 });
  });
});

describe('thumbnailPixels', () => {
  it('sends samples at their size as the very bytes read (RGB stays 3 bytes per pixel)', () => {
    const pixels = Uint8Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => i % 251);
    const out = thumbnailPixels(pixels, 2, { width: 32, height: 32, channels: 3 }, { width: 32, height: 32 });
    assert.equal(out, pixels);
    assert.equal(out.length, 2 * 32 * 32 * 3);
  });

  it('shrinks each channel of each sample on its own: a flat colour stays that colour, channel by channel', () => {
    const [w, h, n] = [100, 80, 2];
    const colours = [
      [10, 200, 77],
      [255, 0, 128],
    ];
    const pixels = new Uint8Array(n * w * h * 3);
    for (let i = 0; i < n; i++) for (let p = 0; p < w * h; p++) pixels.set(colours[i], (i * w * h + p) * 3);
    const to = thumbnailSize(h, w);
    assert.deepEqual(to, { width: 64, height: 51 });
    const out = thumbnailPixels(pixels, n, { width: w, height: h, channels: 3 }, to);
    assert.equal(out.length, n * 64 * 51 * 3);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < 64 * 51; p++) assert.deepEqual([...out.subarray((i * 64 * 51 + p) * 3, (i * 64 * 51 + p) * 3 + 3)], colours[i], `sample ${i} pixel ${p}`);
    }
  });

  it('equals the engine resampling of each separated plane, interleaved again (a gradient per channel)', () => {
    const [w, h] = [96, 72];
    const pixels = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        pixels[o] = (x * 255) / (w - 1);
        pixels[o + 1] = (y * 255) / (h - 1);
        pixels[o + 2] = ((x + y) * 7) % 256;
      }
    }
    const to = thumbnailSize(h, w);
    const out = thumbnailPixels(pixels, 1, { width: w, height: h, channels: 3 }, to);
    for (let c = 0; c < 3; c++) {
      const plane = Uint8Array.from({ length: w * h }, (_, p) => pixels[p * 3 + c]);
      const small = resizeBilinear(plane, w, h, to.width, to.height);
      const got = Uint8Array.from({ length: to.width * to.height }, (_, p) => out[p * 3 + c]);
      assert.deepEqual(got, small, `channel ${c}`);
    }
    // The red channel rises left to right, the green one top to bottom, after shrinking too.
    assert.ok(out[0] < out[(to.width - 1) * 3], 'red rises along x');
    assert.ok(out[1] < out[(to.height - 1) * to.width * 3 + 1], 'green rises along y');
  });

  it('shrinks grey samples to one byte per pixel', () => {
    const pixels = new Uint8Array(200 * 100).fill(99);
    const out = thumbnailPixels(pixels, 1, { width: 200, height: 100, channels: 1 }, thumbnailSize(100, 200));
    assert.equal(out.length, 64 * 32);
    assert.ok(out.every((v) => v === 99));
  });
});
