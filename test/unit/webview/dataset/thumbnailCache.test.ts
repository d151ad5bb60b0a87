// The webview's thumbnail cache: least recently used goes first; requests skip what is cached or asked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ThumbnailCache } from '../../../../webview/dataset/thumbnailCache';

const pixels = (v: number) => Uint8Array.from([v]);

describe('ThumbnailCache', () => {
  it('evicts the least recently used sample past its capacity', () => {
    const cache = new ThumbnailCache(3);
    cache.set(1, pixels(1));
    cache.set(2, pixels(2));
    cache.set(3, pixels(3));
    cache.get(1); // 2 is now the oldest
    cache.set(4, pixels(4));
    assert.equal(cache.size, 3);
    assert.equal(cache.has(2), false);
    for (const s of [1, 3, 4]) assert.deepEqual(cache.get(s), pixels(s));
  });

  it('plans sorted pages of missing samples, each asked only once', () => {
    const cache = new ThumbnailCache(100);
    cache.set(5, pixels(5));
    assert.deepEqual(cache.plan([9, 5, 1, 7, 3, 1], 2), [[1, 3], [7, 9]]);
    assert.deepEqual(cache.plan([1, 3, 11], 2), [[11]]); // 1 and 3 are on their way
  });

  it('asks again for samples the host failed to read', () => {
    const cache = new ThumbnailCache(100);
    cache.plan([1, 2], 10);
    cache.failed([2]);
    assert.deepEqual(cache.plan([1, 2], 10), [[2]]);
  });

  it('a sample that arrives is no longer pending, so after eviction it is asked for again', () => {
    const cache = new ThumbnailCache(1);
    cache.plan([1], 10);
    cache.set(1, pixels(1));
    cache.set(2, pixels(2)); // evicts 1
    assert.deepEqual(cache.plan([1, 2], 10), [[1]]);
  });
});
