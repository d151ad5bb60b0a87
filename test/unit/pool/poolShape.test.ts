// How many workers and threads per worker the pool runs (poolShape.ts): workers × threads fill the cores,
// threads first, never above 8 threads; counts asked for are kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poolShape } from '../../../src/engine/pool/poolShape';

describe('pool shape', () => {
  it('automatic: a few threads per worker first, then more workers, workers × threads = cores', () => {
    const table: Array<[number, number, number]> = [
      [1, 1, 1],
      [2, 1, 2],
      [3, 1, 3],
      [4, 2, 2],
      [6, 2, 3],
      [8, 2, 4],
      [12, 2, 6],
      [16, 2, 8],
      [32, 4, 8],
    ];
    for (const [cores, workers, threads] of table) {
      assert.deepEqual(poolShape({}, cores), { workers, threads }, `${cores} cores`);
      assert.deepEqual(poolShape({ workers: 0, threads: 0 }, cores), { workers, threads }, `${cores} cores, 0 = automatic`);
      assert.ok(workers * threads <= cores);
    }
  });

  it('keeps a count asked for and fills the cores with the other', () => {
    assert.deepEqual(poolShape({ workers: 2 }, 2), { workers: 2, threads: 1 });
    assert.deepEqual(poolShape({ workers: 2 }, 8), { workers: 2, threads: 4 });
    assert.deepEqual(poolShape({ workers: 1 }, 8), { workers: 1, threads: 8 });
    assert.deepEqual(poolShape({ workers: 1 }, 64), { workers: 1, threads: 8 });
    assert.deepEqual(poolShape({ workers: 3 }, 2), { workers: 3, threads: 1 });
    assert.deepEqual(poolShape({ threads: 2 }, 8), { workers: 4, threads: 2 });
    assert.deepEqual(poolShape({ threads: 4 }, 2), { workers: 1, threads: 4 });
    assert.deepEqual(poolShape({ workers: 2, threads: 3 }, 2), { workers: 2, threads: 3 });
  });

  it('never more than 8 threads (the threaded build hangs beyond), and whole positive counts only', () => {
    assert.deepEqual(poolShape({ threads: 12 }, 32), { workers: 4, threads: 8 });
    assert.deepEqual(poolShape({ workers: 1, threads: 16 }, 2), { workers: 1, threads: 8 });
    assert.deepEqual(poolShape({ workers: 2.7, threads: -1 }, 8), { workers: 2, threads: 4 });
    assert.deepEqual(poolShape({ workers: Number.NaN }, 4), { workers: 2, threads: 2 });
    assert.deepEqual(poolShape({}, 0), { workers: 1, threads: 1 });
  });
});
