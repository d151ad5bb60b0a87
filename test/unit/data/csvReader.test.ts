import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../../src/engine/data/datasetFile';
import { PIXELS, csvText, makeImages, makeLabels, pixelOf, tempDir } from './datasetWriters';

const N = 21;
const images = makeImages(N);
const labels = makeLabels(N);

function writeCsv(text: string, name = 'data.csv'): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

test('CSV label + 784 pixels, with and without a header line, round-trips', async () => {
  for (const header of [false, true]) {
    const d = await openDataset(writeCsv(csvText(images, labels, { header })));
    assert.deepEqual([d.format, d.count, d.valueScale, d.labelSource], ['csv', N, 255, 'first column'], `header ${header}`);
    assert.deepEqual(d.labels, labels);
    assert.deepEqual(await d.read(0, N), images);
    for (const i of [0, 9, N - 1]) {
      const one = await d.read(i, 1);
      for (let k = 0; k < PIXELS; k++) assert.equal(one[k], pixelOf(i, k));
    }
    assert.deepEqual(await d.read(3, 4), images.subarray(3 * PIXELS, 7 * PIXELS));
    await d.close();
  }
});

test('CSV of 784 pixels only has no labels; a numeric first line is data, not a header', async () => {
  for (const header of [false, true]) {
    const d = await openDataset(writeCsv(csvText(images, null, { header })));
    assert.equal(d.count, N, `header ${header}`);
    assert.equal(d.labels, null);
    assert.equal(d.labelSource, undefined);
    assert.deepEqual(await d.read(0, N), images);
    await d.close();
  }
});

test('CSV with a BOM, CRLF line ends, spaces, blank lines and no final newline', async () => {
  const lines = csvText(images, labels, { header: true, eol: '\r\n' }).split('\r\n');
  lines[3] = lines[3].replace(/,/g, ' , '); // spaces around values
  lines.splice(6, 0, '', '   '); // blank lines in the middle
  const text = '\uFEFF' + lines.join('\r\n').trimEnd() + '\r\n\r\n';
  const d = await openDataset(writeCsv(text));
  assert.equal(d.count, N);
  assert.deepEqual(d.labels, labels);
  assert.deepEqual(await d.read(0, N), images);
  assert.deepEqual(await d.read(4, 2), images.subarray(4 * PIXELS, 6 * PIXELS)); // a range spanning the blank lines
  await d.close();

  const noHeaderNoFinalNewline = '\uFEFF' + csvText(images, labels).trimEnd();
  const e = await openDataset(writeCsv(noHeaderNoFinalNewline));
  assert.deepEqual([e.count, e.labels![0]], [N, labels[0]]);
  assert.deepEqual(await e.read(N - 1, 1), images.subarray((N - 1) * PIXELS));
  await e.close();
});

test('CSV floats in [0,1] are understood as [0,1]; floats above 1 as [0,255]', async () => {
  const unit = await openDataset(writeCsv(csvText(images, labels, { format: (v) => String(v / 255) })));
  assert.equal(unit.valueScale, 1);
  assert.deepEqual(await unit.read(0, N), images);
  await unit.close();

  const wide = await openDataset(writeCsv(csvText(images, labels, { format: (v) => v.toFixed(2) })));
  assert.equal(wide.valueScale, 255);
  assert.deepEqual(await wide.read(0, N), images);
  await wide.close();

  const exponent = await openDataset(writeCsv(csvText(images, null, { format: (v) => (v / 255).toExponential(12) })));
  assert.equal(exponent.valueScale, 1);
  assert.deepEqual(await exponent.read(0, N), images);
  await exponent.close();
});

test('CSV: a line with 783 values is reported with its line number', async () => {
  const lines = csvText(images, labels, { header: true }).split('\n');
  lines[4] = lines[4].slice(0, lines[4].lastIndexOf(',')); // line 5 of the file (header is line 1)
  await assert.rejects(openDataset(writeCsv(lines.join('\n'))), (e: Error) => {
    assert.equal(e.name, 'UserError');
    assert.match(e.message, /line 5 has 784 values, expected 785 \(label \+ 784 pixels\)/);
    return true;
  });

  const noLabels = csvText(images, null).split('\n');
  noLabels[2] = noLabels[2].slice(0, noLabels[2].lastIndexOf(','));
  await assert.rejects(openDataset(writeCsv(noLabels.join('\n'))), /line 3 has 783 values, expected 784 \(784 pixels\)/);
});

test('CSV: bad labels, bad pixels, wrong widths, empty and header-only files are clear errors', async () => {
  const lines = csvText(images, labels).split('\n');
  const badLabel = [...lines];
  badLabel[6] = 'seven' + badLabel[6].slice(1);
  await assert.rejects(openDataset(writeCsv(badLabel.join('\n'))), /line 7: label 'seven' is not an integer from 0 to 255/);

  // Pixels are parsed when read (and for the rows the scale check samples, at open).
  const badPixel = [...lines];
  badPixel[2] = badPixel[2].replace(/,(\d+),/, ',x1,');
  await assert.rejects(openDataset(writeCsv(badPixel.join('\n'))), /line 3: 'x1' is not a number/);
  // With 300 samples the scale check reads 256 of them and skips index 3 (line 4), so the error waits for read.
  const many = makeImages(300);
  const manyLines = csvText(many, makeLabels(300)).split('\n');
  manyLines[3] = manyLines[3].replace(/,(\d+),(\d+),/, ',$1,,');
  const d = await openDataset(writeCsv(manyLines.join('\n')));
  await assert.rejects(d.read(0, 300), /line 4: empty value is not a number/);
  assert.deepEqual(await d.read(4, 296), many.subarray(4 * PIXELS)); // the other lines still read
  await d.close();

  await assert.rejects(openDataset(writeCsv('1,2,3\n4,5,6\n')), /line 1 has 3 values; expected 785 \(label \+ 784 pixels\) or 784 \(pixels only\)/);
  await assert.rejects(openDataset(writeCsv(lines[0].split('\n')[0].replace(/^\d+,/, 'label,').replace(/,\d+/g, ',px') + '\n')), /CSV has a header but no data lines/);
  await assert.rejects(openDataset(writeCsv('\n\n  \n')), /CSV has no data lines/);
  await assert.rejects(openDataset(writeCsv('')), /empty file/);
});
