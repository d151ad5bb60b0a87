// A grid cell's caption: class numbers when nothing names the classes ("3→1 58%"), names when the model
// or the file has them (the prediction by the model's labels, the truth by the file's own class names,
// also when the file numbers them in another order), cut with "…" to fit the cell while the tooltip and
// the screen reader keep the whole names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellCaption, fitNames, NO_MODEL_CLASS, uniquePrefixes, type CaptionSample } from '../../../../webview/dataset/cellCaption';
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
    assert.deepEqual(fitNames(['abcdef', 'xyz'], text, (t) => Array.from(t).length <= 8), { text: 'abc…→xyz', fits: true });
    assert.deepEqual(fitNames(['abcdef', 'uvwxyz'], text, (t) => Array.from(t).length <= 5), { text: 'a…→u…', fits: true });
    assert.deepEqual(fitNames(['abcdef', 'uvwxyz'], text, () => false), { text: 'a…→u…', fits: false }, 'never fitting: the shortest it can be, no endless loop');
    assert.deepEqual(fitNames(['ab', 'éèêëē'], text, (t) => Array.from(t).length <= 6), { text: 'ab→éè…', fits: true });
    assert.deepEqual(fitNames(['whole'], ([a]) => a, () => true), { text: 'whole', fits: true });
  });

  it('never cuts a name below its floor (its unique prefix), and says when that keeps it from fitting', () => {
    const text = ([a, b]: string[]) => `${a}→${b}`;
    assert.deepEqual(fitNames(['square', 'star'], text, (t) => Array.from(t).length <= 5, [2, 2]), { text: 'sq…→st…', fits: false });
    assert.deepEqual(fitNames(['square', 'star'], text, (t) => Array.from(t).length <= 7, [2, 2]), { text: 'sq…→st…', fits: true });
    // A floor one short of the whole name: "cattl…" would be no shorter than "cattle", so it stays whole.
    assert.deepEqual(fitNames(['cattle'], ([a]) => a, () => false, [5]), { text: 'cattle', fits: false });
  });
});

// Real label sets: FashionMNIST's, CIFAR-10's, the shapes data set's, and ImageNet class names that share
// long beginnings (and one name twice, as ImageNet has two "crane"s).
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const SHAPES = ['circle', 'square', 'star'];
const IMAGENET_LIKE = [
  'black swan', 'black stork', 'black grouse', 'black widow', 'black-and-tan coonhound', 'black-footed ferret',
  'Norwich terrier', 'Norfolk terrier', 'American Staffordshire terrier', 'Staffordshire bullterrier', 'tabby',
  'tiger cat', 'Persian cat', 'Siamese cat', 'Siberian husky', 'Egyptian cat', 'crane', 'crane', 'great white shark',
  'great grey owl', 'Great Dane', 'cat', 'cattle',
];

/** The class a shown name stands for: the one name it is, or the one name its "…" prefix begins. */
function decode(shown: string, labels: readonly string[]): string[] {
  const lower = [...new Set(labels.map((l) => l.toLowerCase()))];
  if (!shown.endsWith('…')) return lower.filter((l) => l === shown.toLowerCase());
  const prefix = shown.slice(0, -1).toLowerCase();
  return lower.filter((l) => l.startsWith(prefix));
}

/** A proportional-font stand-in for the canvas: narrow letters count less (the cell holds about 12 "n"s). */
const fitsProportional = (text: string) => Array.from(text).reduce((w, c) => w + (/[iljt.,:;' !|]/.test(c) ? 3 : /[mwMW%…→✓]/.test(c) ? 9 : /[A-Z]/.test(c) ? 7.5 : 6), 0) <= 70;

describe('grid captions on real label sets', () => {
  it('unique prefixes: square and star need two letters beside circle; cat inside cattle is never cut', () => {
    assert.deepEqual([...uniquePrefixes(SHAPES)], [['circle', 1], ['square', 2], ['star', 2]]);
    const imagenet = uniquePrefixes(IMAGENET_LIKE);
    assert.equal(imagenet.get('cat'), 3, 'a name that begins another is its whole length');
    assert.equal(imagenet.get('cattle'), 4);
    assert.equal(imagenet.get('norwich terrier'), 4);
    assert.equal(imagenet.get('black swan'), 8);
    assert.equal(imagenet.get('black-and-tan coonhound'), 7);
    assert.equal(imagenet.get('crane'), 2, 'a repeated name is one name');
    assert.deepEqual([...uniquePrefixes(FASHION)].filter(([name]) => name.startsWith('s') || name.startsWith('t')), [
      ['sandal', 2], ['shirt', 2], ['sneaker', 2], ['t-shirt/top', 2], ['trouser', 2],
    ].sort());
  });

  it('"star" predicted for a square reads sq…→st…, never s…→s…', () => {
    const c = cellCaption(at({ fileLabel: 1, label: 1, predicted: 2, confidence: 0.91, wrong: true }), { model: SHAPES }, (t) => Array.from(t).length <= 7);
    assert.equal(c.verdict, 'sq…→st…');
    assert.equal(c.index, '#12 · 91%', 'the confidence moves up to the index line');
  });

  for (const [name, labels] of [['FashionMNIST', FASHION], ['CIFAR-10', CIFAR10], ['shapes', SHAPES], ['ImageNet-like', IMAGENET_LIKE]] as const) {
    for (const [measure, fits] of [['11 characters', fits11], ['a proportional 70 px', fitsProportional]] as const) {
      it(`${name}, ${measure}: every mistake and every right answer names its classes unambiguously`, () => {
        let cut = 0;
        labels.forEach((truth, t) =>
          labels.forEach((predicted, p) => {
            const wrong = truth.toLowerCase() !== predicted.toLowerCase();
            const c = cellCaption(at({ fileLabel: t, label: t, predicted: p, confidence: 0.58, wrong }), { model: labels }, fits);
            const percentShown = c.verdict.endsWith(' 58%') || c.index.endsWith(' · 58%');
            assert.ok(percentShown, `${truth}/${predicted}: the confidence is shown (${c.index} | ${c.verdict})`);
            const namesPart = c.verdict.replace(/ 58%$/, '').replace(/^✓/, '');
            const [shownTruth, shownPredicted] = wrong ? namesPart.split('→') : [undefined, namesPart];
            if (shownTruth) assert.deepEqual(decode(shownTruth, labels), [truth.toLowerCase()], `${c.verdict} names ${truth}`);
            else if (wrong) assert.match(c.title, new RegExp(`label ${truth.replace(/[/()]/g, '.')}`), 'a truth left out of the cell is in the tooltip');
            assert.deepEqual(decode(shownPredicted, labels), [predicted.toLowerCase()], `${c.verdict} names ${predicted}`);
            if (c.verdict.includes('…')) cut++;
          }),
        );
        if (name === 'ImageNet-like') assert.ok(cut > 0, 'long names were cut');
      });
    }
  }

  it('the fitted captions fit: every CIFAR-10 mistake within 11 characters at its most complete form', () => {
    for (let t = 0; t < 10; t++)
      for (let p = 0; p < 10; p++) {
        if (t === p) continue;
        const c = cellCaption(at({ fileLabel: t, label: t, predicted: p, confidence: 0.58, wrong: true }), { model: CIFAR10 }, fits11);
        assert.ok(fits11(c.verdict), c.verdict);
      }
  });
});

