// A grid cell's caption: class numbers when nothing names the classes ("3→1 58%"), names when the model
// or the file has them (the prediction by the model's labels, the truth by the file's own class names,
// also when the file numbers them in another order), cut with "…" to fit the cell while the tooltip and
// the screen reader keep the whole names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellCaption, fitNames, NO_MODEL_CLASS, type CaptionSample } from '../../../../webview/dataset/cellCaption';
import { NO_CLASS } from '../../../../src/host/dataset/classMatch';

/** A monospace cell of 11 characters (the real view measures the text on a canvas). */
const fits11 = (text: string) => Array.from(text).length <= 11;
const DIGITS = Array.from({ length: 10 }, (_, k) => String(k));
const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const REVERSED = [...CIFAR10].reverse();

const at = (s: Partial<CaptionSample>): CaptionSample => ({ sample: 12, fileLabel: null, label: null, predicted: null, confidence: NaN, wrong: false, ...s });

describe('cellCaption', () => {
  it('numbers when nothing names the classes (a model of "0".."9", a file without names)', () => {
    const names = { model: DIGITS };
    const wrong = cellCaption(at({ fileLabel: 3, label: 3, predicted: 1, confidence: 0.584, wrong: true }), names, fits11);
    assert.deepEqual(wrong, {
      index: '#12',
      verdict: '3→1 58%',
      title: '#12: label 3, predicted 1 (58%), misclassified',
      ariaLabel: 'Sample 12, label 3, predicted 1 with 58% confidence, misclassified',
    });
    assert.equal(cellCaption(at({ fileLabel: 7, label: 7, predicted: 7, confidence: 0.994 }), names, fits11).verdict, '✓7 99%');
    assert.equal(cellCaption(at({ fileLabel: 4, label: 4 }), names, fits11).verdict, '4', 'the label alone until predicted');
    assert.equal(cellCaption(at({ predicted: 7, confidence: 0.5 }), names, fits11).verdict, '7 50%', 'no labels: no ✓');
    assert.equal(cellCaption(at({}), names, fits11).verdict, '');
    assert.equal(cellCaption(at({ predicted: 12, confidence: 1 }), { model: [] }, fits11).verdict, '12 100%', 'a model without labels');
  });

  it('names: the truth by the file\'s own name (value 3 "cat" is the model\'s class 6), the prediction by the model\'s', () => {
    const names = { model: REVERSED, file: CIFAR10 };
    const c = cellCaption(at({ fileLabel: 3, label: 6, predicted: 4, confidence: 0.58, wrong: true }), names, fits11);
    assert.equal(REVERSED[4], 'dog');
    assert.equal(c.verdict, 'cat→dog 58%');
    assert.equal(c.title, '#12: label cat, predicted dog (58%), misclassified');
    assert.equal(c.ariaLabel, 'Sample 12, label cat, predicted dog with 58% confidence, misclassified');
    assert.equal(cellCaption(at({ fileLabel: 3, label: 6, predicted: 6, confidence: 0.9 }), names, fits11).verdict, '✓cat 90%');
  });

  it('names too long for the cell are cut with "…", the longer one first; the tooltip keeps them whole', () => {
    const names = { model: REVERSED, file: CIFAR10 };
    // automobile (file 1) predicted as airplane (model 9).
    const c = cellCaption(at({ fileLabel: 1, label: 8, predicted: 9, confidence: 0.58, wrong: true }), names, fits11);
    assert.equal(c.verdict, 'au…→ai… 58%');
    assert.ok(fits11(c.verdict));
    assert.equal(c.title, '#12: label automobile, predicted airplane (58%), misclassified');
    // A short truth stays whole while the long prediction gives way.
    const d = cellCaption(at({ fileLabel: 3, label: 6, predicted: 8, confidence: 0.58, wrong: true }), names, fits11);
    assert.equal(REVERSED[8], 'automobile');
    assert.equal(d.verdict, 'cat→au… 58%');
    assert.equal(cellCaption(at({ fileLabel: 1, label: 8, predicted: 8, confidence: 1 }), names, fits11).verdict, '✓auto… 100%');
  });

  it('a file class the model does not have is named by the file; without file names, its number', () => {
    assert.equal(NO_MODEL_CLASS, NO_CLASS, 'the same value as the host gives');
    const c = cellCaption(at({ fileLabel: 2, label: NO_CLASS, predicted: 0, confidence: 0.91, wrong: true }), { model: ['circle', 'square'], file: ['circle', 'square', 'star'] }, () => true);
    assert.equal(c.verdict, 'star→circle 91%');
    assert.match(c.ariaLabel, /label star,/);
    const n = cellCaption(at({ fileLabel: 2, label: NO_CLASS, predicted: 0, confidence: 0.91, wrong: true }), { model: ['circle', 'square'] }, () => true);
    assert.equal(n.verdict, '2→circle 91%', 'the file value, never "255"');
  });

  it('a file with names and a model of bare numbers: the truth named, the prediction numbered', () => {
    const c = cellCaption(at({ fileLabel: 3, label: 3, predicted: 5, confidence: 0.4, wrong: true }), { model: DIGITS, file: CIFAR10 }, () => true);
    assert.equal(c.verdict, 'cat→5 40%');
  });

  it('an unreadable sample says so in the index and the tooltip', () => {
    const c = cellCaption(at({ sample: 5, unreadable: 'not a PNG' }), { model: DIGITS }, fits11);
    assert.equal(c.index, '#5 ⚠');
    assert.equal(c.title, '#5 (unreadable: not a PNG)');
    assert.equal(c.ariaLabel, 'Sample 5, unreadable file');
  });
});

describe('fitNames', () => {
  it('cuts until it fits, by code points, leaving at least one character and "…"', () => {
    const text = ([a, b]: string[]) => `${a}→${b}`;
    assert.equal(fitNames(['abcdef', 'xyz'], text, (t) => Array.from(t).length <= 8), 'abc…→xyz');
    assert.equal(fitNames(['abcdef', 'uvwxyz'], text, (t) => Array.from(t).length <= 5), 'a…→u…');
    assert.equal(fitNames(['abcdef', 'uvwxyz'], text, () => false), 'a…→u…', 'never fitting: the shortest it can be, no endless loop');
    assert.equal(fitNames(['ab', 'éèêëē'], text, (t) => Array.from(t).length <= 6), 'ab→éè…');
    assert.equal(fitNames(['whole'], ([a]) => a, () => true), 'whole');
  });
});
