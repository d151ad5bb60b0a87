// Image folders: the torchvision ImageFolder order, pixels of lossless images exactly, mixed sizes, grey
// or colour, a damaged file among good ones, and folders that hold no images.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../../src/engine/data/datasetFile';
import { compareCodePoints, listImageFolder } from '../../../src/engine/data/folderListing';
import { writeBmp, writePng } from '../image/encoders';
import { tempDir, valueOf, writeTree } from './datasetWriters';

/** A lossless RGB (colorType 2) or grey (0) PNG of image `i` of valueOf. */
function png(i: number, width: number, height: number, channels: 1 | 3): Buffer {
  const samples: number[] = [];
  for (let p = 0; p < width * height; p++) for (let c = 0; c < channels; c++) samples.push(valueOf(i, p, c));
  return writePng({ width, height, colorType: channels === 1 ? 0 : 2, bitDepth: 8, samples });
}

test('the listing follows torchvision ImageFolder: classes and files sorted by code point, os.walk order in subfolders', async () => {
  // The tree and the expected order were checked against torchvision 0.14.1 (find_classes, make_dataset)
  // on this machine: Python sorts by code point, so 'Ａ' (U+FF21) comes before '😀' (U+1F600), which a
  // plain JavaScript sort (UTF-16 units) would put first; '/a/sub-b' comes before '/a/sub/deep'.
  const junk = 'x';
  const root = writeTree({
    'B/b.png': junk,
    '_x/x.png': junk,
    'a/10.png': junk,
    'a/2.PNG': junk,
    'a/sub/1.png': junk,
    'a/sub-b/0.jpg': junk,
    'a/sub/deep/3.png': junk,
    'ä/u.png': junk,
    'Ａ/f.png': junk,
    '😀/e.png': junk,
    'a/notes.txt': junk,
    'a/.hidden.png': junk,
    'Z/z.bmp': junk,
    'Z/y.gif': junk,
    'Z/w.webp': junk,
    'Z/v.jpeg': junk,
    'Z/t.tif': junk,
  });
  fs.mkdirSync(path.join(root, 'empty'));
  const listing = await listImageFolder(root);
  assert.deepEqual(listing.classes, ['B', 'Z', '_x', 'a', 'ä', 'Ａ', '😀']);
  assert.deepEqual(
    listing.files.map((f) => path.relative(root, f)),
    ['B/b.png', 'Z/v.jpeg', 'Z/w.webp', 'Z/y.gif', 'Z/z.bmp', '_x/x.png', 'a/.hidden.png', 'a/10.png', 'a/2.PNG', 'a/sub/1.png', 'a/sub-b/0.jpg', 'a/sub/deep/3.png', 'ä/u.png', 'Ａ/f.png', '😀/e.png'],
  );
  assert.deepEqual(Array.from(listing.classOf), [0, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 4, 5, 6]);
  assert.deepEqual([listing.emptyClasses, listing.foreignImages, listing.looseImages], [['empty'], 1, 0]);
  assert.ok(compareCodePoints('\uff21', '\u{1f600}') < 0 && '\u{1f600}' < '\uff21', 'code point order differs from UTF-16 order here');
});

test('an image folder: class labels and names, exact pixels of PNG and BMP files, colour detected', async () => {
  const root = writeTree({
    'cat/001.png': png(0, 6, 4, 3),
    'cat/002.png': png(1, 6, 4, 3),
    'dog/a.png': png(2, 6, 4, 3),
    'dog/b.bmp': writeBmp(6, 4, 24, Array.from({ length: 24 }, (_, p) => [valueOf(3, p, 0), valueOf(3, p, 1), valueOf(3, p, 2)])),
  });
  const d = await openDataset(root);
  assert.deepEqual([d.format, d.count, d.height, d.width, d.channels, d.valueScale], ['folder', 4, 4, 6, 3, 255]);
  assert.deepEqual(Array.from(d.labels!), [0, 0, 1, 1]);
  assert.deepEqual([d.labelSource, d.labelNames], ['class folders', ['cat', 'dog']]);
  assert.equal(d.sampleFile!(3), path.join(root, 'dog', 'b.bmp'));
  const all = await d.read(0, 4);
  for (let i = 0; i < 4; i++) for (let p = 0; p < 24; p++) for (let c = 0; c < 3; c++) assert.equal(all[(i * 24 + p) * 3 + c], valueOf(i, p, c), `image ${i} pixel ${p} channel ${c}`);
  assert.deepEqual([d.notes, d.unreadable.size], [[], 0]);
  await d.close();
});

test('a folder of grey images is one channel; a flat folder of images has no labels', async () => {
  const root = writeTree(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`img-${i}.png`, png(i, 5, 5, 1)])));
  const d = await openDataset(root);
  assert.deepEqual([d.count, d.channels, d.labels, d.labelNames], [5, 1, null, undefined]);
  const px = await d.read(2, 1);
  for (let p = 0; p < 25; p++) assert.equal(px[p], valueOf(2, p, 0));
  await d.close();
});

test('mixed sizes are resized to the first image (said once); a stated size wins', async () => {
  const root = writeTree({
    'a/1.png': png(0, 4, 4, 1),
    'a/2.png': png(1, 8, 8, 1), // 8×8 → 4×4: each output pixel the mean of a 2×2 block
    'b/3.png': png(2, 2, 2, 1), // 2×2 → 4×4: bilinear
    'b/4.png': png(3, 8, 8, 1),
  });
  const d = await openDataset(root);
  assert.deepEqual([d.height, d.width, d.channels], [4, 4, 1]);
  const down = await d.read(1, 1);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const block = [0, 1].flatMap((dy) => [0, 1].map((dx) => valueOf(1, (2 * y + dy) * 8 + 2 * x + dx, 0)));
      assert.equal(down[y * 4 + x], Math.round(block.reduce((a, b) => a + b) / 4), `(${y}, ${x})`);
    }
  }
  await d.read(0, 4);
  assert.equal(d.notes.length, 1, d.notes.join('\n'));
  assert.match(d.notes[0], /images differ in size; each is resized to 4×4 \(the first image's size\), e\.g\. .*2\.png is 8×8/);
  await d.close();

  const stated = await openDataset(root, { imageSize: { width: 8, height: 8 } });
  assert.deepEqual([stated.height, stated.width], [8, 8]);
  assert.deepEqual(Array.from(await stated.read(1, 1)), Array.from({ length: 64 }, (_, p) => valueOf(1, p, 0)));
  await stated.close();
});

test('a damaged file among good ones: one line naming it, black pixels for it, every other sample intact', async () => {
  const good = png(1, 3, 3, 3);
  const root = writeTree({
    'x/0.png': png(0, 3, 3, 3),
    'x/1-broken.png': good.subarray(0, good.length - 20),
    'x/2.jpg': 'not a jpeg at all',
    'y/3.png': png(3, 3, 3, 3),
  });
  const d = await openDataset(root);
  assert.equal(d.count, 4);
  const all = await d.read(0, 4);
  assert.ok(all.subarray(27, 81).every((v) => v === 0), 'unreadable samples read as zeros');
  for (const i of [0, 3]) for (let p = 0; p < 9; p++) for (let c = 0; c < 3; c++) assert.equal(all[(i * 9 + p) * 3 + c], valueOf(i, p, c));
  assert.deepEqual([...d.unreadable.keys()].sort(), [1, 2]);
  for (const [i, message] of d.unreadable) {
    assert.ok(message.startsWith(d.sampleFile!(i)), `names the file: ${message}`);
    assert.ok(!message.includes('\n'), 'one line');
  }
  assert.match(d.unreadable.get(2)!, /2\.jpg: not an image in a known format/);
  await d.close();
});

test('folders without images, and with more classes than labels can hold, are clear errors; leftovers are noted', async () => {
  const empty = tempDir();
  fs.mkdirSync(path.join(empty, 'cats'));
  fs.writeFileSync(path.join(empty, 'cats', 'readme.txt'), 'no images here');
  await assert.rejects(openDataset(empty), (e: Error) => {
    assert.equal(e.name, 'UserError');
    assert.equal(e.message, `${empty}: no images found (its 1 subfolders hold none either); expected <folder>/<class>/<image> or images directly in the folder (.png .jpg .jpeg .bmp .gif .webp)`);
    return true;
  });

  const allBroken = writeTree({ 'a/1.png': 'junk', 'a/2.png': 'junk' });
  await assert.rejects(openDataset(allBroken), /none of the first 2 images can be read \(the first: .*1\.png: not an image in a known format/);

  const many = writeTree(Object.fromEntries(Array.from({ length: 257 }, (_, k) => [`c${k}/i.png`, png(k, 1, 1, 1)])));
  await assert.rejects(openDataset(many), /has 257 class folders; at most 256 classes are supported/);

  const leftovers = writeTree({ 'a/1.png': png(0, 2, 2, 1), 'loose.png': png(1, 2, 2, 1), 'scan.tiff': 'x', 'a/old.tif': 'x', 'b/notes.txt': 'x' });
  const d = await openDataset(leftovers);
  assert.equal(d.count, 1);
  assert.deepEqual(d.labelNames, ['a']);
  assert.deepEqual(
    d.notes.map((n) => n.slice(leftovers.length + 2)),
    ['1 subfolder without images is not a class: b', '1 image directly in the folder, outside the class folders, not included', '1 .tif/.ppm/.pgm image is not included (formats read: .png .jpg .jpeg .bmp .gif .webp)'],
  );
  await d.close();
});
