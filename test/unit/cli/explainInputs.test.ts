// The pure parts of `explain`'s batch mode: --indices, the heatmap file names, the progress line.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { outputStems, sampleStem, methodSlug } from '../../../src/cli/explainInputs';
import { countIndices, parseIndexRanges } from '../../../src/cli/indexRanges';
import { UsageError } from '../../../src/cli/options';
import { clock, Progress } from '../../../src/cli/progress';

test('--indices: single indices, inclusive ranges, open ranges, in the order given', () => {
  assert.deepEqual(parseIndexRanges('0-99,120', 200, 'd'), [[0, 99], [120, 120]]);
  assert.deepEqual(parseIndexRanges(' 7 , 3-4 ,190-', 200, 'd'), [[7, 7], [3, 4], [190, 199]]);
  assert.deepEqual(parseIndexRanges('5,', 10, 'd'), [[5, 5]]);
  assert.equal(countIndices(parseIndexRanges('0-99,120,150-', 200, 'd')), 100 + 1 + 50);
});

test('--indices: malformed, reversed, empty and out-of-range specs are usage errors that say why', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /--indices is empty/],
    [',', /--indices is empty/],
    ['a-3', /"a-3" is not an index or a range/],
    ['-3', /"-3" is not an index or a range/],
    ['1.5', /"1\.5" is not an index or a range/],
    ['9-3', /the range "9-3" ends before it starts/],
    ['0-200', /--indices: 200 is past the last sample of train\.npy \(it has 200: 0–199\)/],
    ['250', /250 is past the last sample/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseIndexRanges(text, 200, 'train.npy'), (e: Error) => e instanceof UsageError && message.test(e.message), text);
  }
});

test('heatmap names: flat for one folder, subfolders kept when names repeat, extensions kept when stems collide', () => {
  const root = path.resolve('/data');
  const files = ['a/cat/1.png', 'b/cat/1.png', 'b/cat/2.png', 'b/cat/2.jpg', 'b/dog.webp'].map((f) => path.join(root, f));
  assert.deepEqual(outputStems(files), ['a/cat/1', 'b/cat/1', 'b/cat/2.png', 'b/cat/2.jpg', 'b/dog']);
  assert.deepEqual(outputStems([path.join(root, 'x', 'digit.png')]), ['digit']);
  assert.deepEqual(outputStems([path.join(root, 'x', 'a.png'), path.join(root, 'x', 'b.png')]), ['a', 'b']);
  assert.deepEqual(new Set(outputStems(files)).size, files.length);
});

test('sample names: the data set name and the index padded to the count', () => {
  assert.equal(sampleStem('/d/train-images-idx3-ubyte', 42, 60000), 'train-images-idx3-ubyte-00042');
  assert.equal(sampleStem('/d/t10k-images-idx3-ubyte.gz', 7, 10), 't10k-images-idx3-ubyte-7');
  assert.equal(sampleStem('/d/data_batch_1.bin', 3, 10000), 'data_batch_1-0003');
  assert.equal(sampleStem('/d/mnist.npz', 0, 1), 'mnist-0');
  assert.equal(sampleStem('/d/photos', 12, 101), 'photos-012');
  assert.equal(methodSlug('lrp-ab:alpha=3,beta=2'), 'lrp-ab_alpha=3_beta=2');
});

test('the progress line: counts, rate, time left, failures; drawn only on a terminal', () => {
  const written: string[] = [];
  const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  const quiet = new Progress(100, stream);
  quiet.advance(10, 1);
  quiet.log('a bad file');
  assert.deepEqual(written, ['a bad file\n']);

  const tty = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  written.length = 0;
  const live = new Progress(60000, tty);
  live.advance(1234, 3);
  assert.match(written.join(''), /\r\x1b\[2K1,234 \/ 60,000 images/);
  live.log('a note');
  assert.ok(written.join('').includes('\r\x1b[2Ka note\n'), 'the line is cleared before a message');
  live.finish();
  assert.ok(written.at(-1) === '\r\x1b[2K', 'cleared at the end');
  const line = live.line(Date.now() + 10_000);
  assert.match(line, /^1,234 \/ 60,000 images · \d+\/s · \d+:\d\d left · 3 failed$/);
  assert.deepEqual([clock(0), clock(65), clock(3725)], ['0:00', '1:05', '1:02:05']);
});
