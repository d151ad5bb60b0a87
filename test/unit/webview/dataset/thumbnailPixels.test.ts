// The grid's thumbnail drawing: whole-number zoom into a 64 px box, nearest-neighbour pixels, grey as
// R = G = B, RGB bytes in their own order, every pixel opaque.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { thumbnailRgba, thumbZoom } from '../../../../webview/dataset/thumbnailPixels';

describe('thumbZoom', () => {
  it('is the largest whole factor that fits 64 px: MNIST 2 (56 px), CIFAR 2 (64 px), 64×64 1, 20×20 3', () => {
    assert.equal(thumbZoom(28, 28), 2);
    assert.equal(thumbZoom(32, 32), 2);
    assert.equal(thumbZoom(64, 64), 1);
    assert.equal(thumbZoom(20, 20), 3);
    assert.equal(thumbZoom(64, 48), 1);
    assert.equal(thumbZoom(33, 10), 1);
  });
});

describe('thumbnailRgba', () => {
  it('draws RGB pixels in their colours, each enlarged to a zoom × zoom block', () => {
    // 2×1 image: a red pixel and a teal one.
    const pixels = Uint8Array.from([250, 10, 20, 0, 128, 129]);
    const rgba = new Uint8ClampedArray(4 * 2 * 3 * 1 * 3);
    thumbnailRgba(rgba, pixels, 2, 1, 3, 3);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 6; x++) {
        const o = 4 * (y * 6 + x);
        const expected = x < 3 ? [250, 10, 20, 255] : [0, 128, 129, 255];
        assert.deepEqual([...rgba.subarray(o, o + 4)], expected, `(${x}, ${y})`);
      }
    }
  });

  it('draws grey pixels as R = G = B', () => {
    const pixels = Uint8Array.from([0, 77, 200, 255]); // 2×2
    const rgba = new Uint8ClampedArray(4 * 4 * 4);
    thumbnailRgba(rgba, pixels, 2, 2, 1, 2);
    const at = (x: number, y: number) => [...rgba.subarray(4 * (y * 4 + x), 4 * (y * 4 + x) + 4)];
    assert.deepEqual(at(0, 0), [0, 0, 0, 255]);
    assert.deepEqual(at(3, 1), [77, 77, 77, 255]);
    assert.deepEqual(at(1, 2), [200, 200, 200, 255]);
    assert.deepEqual(at(3, 3), [255, 255, 255, 255]);
  });

  it('maps every output pixel to the source pixel floor(x / zoom), floor(y / zoom) of a 32×32 RGB image', () => {
    const pixels = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37) % 256);
    const zoom = thumbZoom(32, 32);
    const rgba = new Uint8ClampedArray(4 * 64 * 64);
    thumbnailRgba(rgba, pixels, 32, 32, 3, zoom);
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const p = (Math.floor(y / 2) * 32 + Math.floor(x / 2)) * 3;
        const o = 4 * (y * 64 + x);
        assert.ok(rgba[o] === pixels[p] && rgba[o + 1] === pixels[p + 1] && rgba[o + 2] === pixels[p + 2] && rgba[o + 3] === 255, `(${x}, ${y})`);
      }
    }
  });
});
