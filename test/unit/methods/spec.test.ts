// Method spec strings: parsing, formatting back, lists, titles, and the messages users see.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isUserError } from '../../../src/engine/errors';
import { expandMethodList, formatMethodSpec, listMethods, listPresets, methodTitle, methodTitleText, parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { SEED_METHODS } from '../../../src/engine/methods/methodTable';

function throwsUserError(fn: () => unknown, message: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isUserError(e), `a UserError, got ${String(e)}`);
    const text = (e as Error).message;
    if (typeof message === 'string') assert.equal(text, message);
    else assert.match(text, message);
    return true;
  });
}

describe('method specs', () => {
  test('every id parses with its defaults and formats back to itself (or its preset)', () => {
    for (const m of listMethods()) {
      const spec = parseMethodSpec(m.id);
      assert.equal(spec.id, m.id);
      assert.deepEqual(spec.params, Object.fromEntries(m.params.map((p) => [p.name, p.default])));
      assert.equal(formatMethodSpec(spec), m.id === 'lrp-ab' ? 'lrp-a2b1' : m.id);
    }
  });

  test('documented defaults', () => {
    assert.deepEqual(parseMethodSpec('lrp-epsilon').params, { epsilon: 0.25 });
    assert.deepEqual(parseMethodSpec('lrp-gamma').params, { gamma: 0.25 });
    assert.deepEqual(parseMethodSpec('epsilon-plus-flat').params, { epsilon: 0.25 });
    assert.deepEqual(parseMethodSpec('epsilon-gamma-box').params, { epsilon: 0.25, gamma: 0.25 });
    assert.deepEqual(parseMethodSpec('integrated-gradients').params, { steps: 32 });
    assert.deepEqual(parseMethodSpec('smoothgrad').params, { samples: 32, sigma: 0.15, seed: 0 });
    assert.deepEqual(parseMethodSpec('occlusion').params, { patch: 4, stride: 2 });
  });

  test('presets', () => {
    assert.deepEqual(
      listPresets().map((p) => [p.name, p.spec.params.alpha, p.spec.params.beta]),
      [
        ['lrp-a1.2b0.2', 1.2, 0.2],
        ['lrp-a1.5b0.5', 1.5, 0.5],
        ['lrp-a2b1', 2, 1],
        ['lrp-a1b0', 1, 0],
      ],
    );
    for (const p of listPresets()) {
      assert.deepEqual(parseMethodSpec(p.name), p.spec);
      assert.equal(formatMethodSpec(p.spec), p.name);
    }
    assert.equal(formatMethodSpec(parseMethodSpec('lrp-ab:alpha=2,beta=1')), 'lrp-a2b1');
    assert.equal(formatMethodSpec(parseMethodSpec('lrp-ab:alpha=1.2,beta=0.2')), 'lrp-a1.2b0.2');
    assert.deepEqual(listMethods().find((m) => m.id === 'lrp-ab')!.presets, ['lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1', 'lrp-a1b0']);
  });

  test('parameters: only non-default ones are written back, in declaration order', () => {
    const cases: Array<[string, string]> = [
      ['lrp-epsilon:epsilon=0.1', 'lrp-epsilon:epsilon=0.1'],
      ['lrp-epsilon:epsilon=0.25', 'lrp-epsilon'],
      ['lrp-ab:alpha=3,beta=2', 'lrp-ab:alpha=3,beta=2'],
      ['lrp-ab:beta=2,alpha=3', 'lrp-ab:alpha=3,beta=2'],
      ['lrp-ab:alpha=3', 'lrp-ab:alpha=3,beta=2'],
      ['lrp-ab:beta=0.5', 'lrp-a1.5b0.5'],
      [' smoothgrad : seed = 7 , samples=8 ', 'smoothgrad:samples=8,seed=7'],
      ['epsilon-gamma-box:gamma=1', 'epsilon-gamma-box:gamma=1'],
      ['occlusion:patch=4,stride=1', 'occlusion:stride=1'],
      ['integrated-gradients:steps=1e2', 'integrated-gradients:steps=100'],
    ];
    for (const [text, formatted] of cases) {
      const spec = parseMethodSpec(text);
      assert.equal(formatMethodSpec(spec), formatted, text);
      assert.deepEqual(parseMethodSpec(formatted), spec, `round trip of ${text}`);
    }
    // A spec built in code with missing parameters formats as if they had their defaults.
    assert.equal(formatMethodSpec({ id: 'smoothgrad', params: { samples: 8 } }), 'smoothgrad:samples=8');
  });

  test('errors name the problem', () => {
    throwsUserError(() => parseMethodSpec('lrp-ab:alpha=3,beta=1'), 'lrp-ab: alpha - beta must be 1 (got alpha=3, beta=1)');
    throwsUserError(() => parseMethodSpec('lrp-ab:alpha=0.5,beta=-0.5'), 'lrp-ab: alpha must be at least 1 (got 0.5)');
    throwsUserError(() => parseMethodSpec('lrp'), /^unknown method "lrp"; known methods: sensitivity, gradient, .*lrp-a1\.2b0\.2/);
    throwsUserError(() => parseMethodSpec('lrp-epsilon:eps=0.1'), 'lrp-epsilon: unknown parameter "eps" (accepted: epsilon)');
    throwsUserError(() => parseMethodSpec('gradient:x=1'), 'gradient: unknown parameter "x" (accepted: none)');
    throwsUserError(() => parseMethodSpec('lrp-epsilon:epsilon=abc'), 'lrp-epsilon: epsilon must be a number (got "abc")');
    throwsUserError(() => parseMethodSpec('lrp-epsilon:epsilon='), 'lrp-epsilon: epsilon must be a number (got "")');
    throwsUserError(() => parseMethodSpec('lrp-epsilon:epsilon'), /epsilon" needs a value, as in epsilon=0.25/);
    throwsUserError(() => parseMethodSpec('lrp-epsilon:epsilon=-1'), 'lrp-epsilon: epsilon must be at least 0 (got -1)');
    throwsUserError(() => parseMethodSpec('lrp-gamma:gamma=1,gamma=2'), 'lrp-gamma: parameter "gamma" is given twice');
    throwsUserError(() => parseMethodSpec('integrated-gradients:steps=2.5'), 'integrated-gradients: steps must be a whole number (got 2.5)');
    throwsUserError(() => parseMethodSpec('integrated-gradients:steps=0'), 'integrated-gradients: steps must be between 1 and 4096 (got 0)');
    throwsUserError(() => parseMethodSpec('lrp-a2b1:alpha=3'), /lrp-a2b1 is a preset and takes no parameters/);
    throwsUserError(() => expandMethodList(' , '), /no methods given/);
  });

  test('lists: seed, and commas that separate both specs and parameters', () => {
    assert.deepEqual(
      expandMethodList('seed').map(formatMethodSpec),
      ['sensitivity', 'guided-backprop', 'simple-taylor', 'deep-taylor', 'lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1'],
    );
    assert.deepEqual([...SEED_METHODS], expandMethodList('seed').map(formatMethodSpec));
    assert.deepEqual(
      expandMethodList('gradient, lrp-ab:alpha=3,beta=2,lrp-epsilon:epsilon=0.1,occlusion,seed').map(formatMethodSpec),
      ['gradient', 'lrp-ab:alpha=3,beta=2', 'lrp-epsilon:epsilon=0.1', 'occlusion', ...SEED_METHODS],
    );
  });

  test('spaces separate parameters like commas, and may stand for the colon', () => {
    const same = (text: string, spec: string) => assert.equal(formatMethodSpec(parseMethodSpec(text)), spec, text);
    same('smoothgrad:samples=8 sigma=0.1', 'smoothgrad:samples=8,sigma=0.1');
    same('smoothgrad: samples = 8,  sigma=0.1 ', 'smoothgrad:samples=8,sigma=0.1');
    same('smoothgrad samples=8 sigma=0.1', 'smoothgrad:samples=8,sigma=0.1');
    same('lrp-ab:alpha=3 beta=2', 'lrp-ab:alpha=3,beta=2');
    // A space inside a name is still an unknown method, and a value with a space is still an error.
    throwsUserError(() => parseMethodSpec('deep taylor'), /unknown method "deep taylor"/);
    throwsUserError(() => parseMethodSpec('smoothgrad:samples=8 0.1'), /unknown parameter "0.1"/);
    assert.deepEqual(
      expandMethodList('gradient,smoothgrad samples=8 sigma=0.1,lrp-z').map(formatMethodSpec),
      ['gradient', 'smoothgrad:samples=8,sigma=0.1', 'lrp-z'],
    );
  });

  test('titles', () => {
    const title = (s: string) => methodTitle(parseMethodSpec(s));
    assert.deepEqual(title('sensitivity'), [{ text: 'Sensitivity Analysis' }]);
    assert.deepEqual(title('guided-backprop'), [{ text: 'Guided Backprop' }]);
    assert.deepEqual(title('simple-taylor'), [{ text: 'Simple Taylor Decomposition' }]);
    assert.deepEqual(title('deep-taylor'), [{ text: 'Deep Taylor Decomposition' }]);
    assert.deepEqual(title('lrp-a1.2b0.2'), [{ text: 'LRP-α' }, { text: '1.2', sub: true }, { text: 'β' }, { text: '0.2', sub: true }]);
    assert.deepEqual(title('lrp-a2b1'), [{ text: 'LRP-α' }, { text: '2', sub: true }, { text: 'β' }, { text: '1', sub: true }]);
    assert.deepEqual(title('lrp-epsilon'), [{ text: 'LRP-ε' }]);
    assert.deepEqual(title('lrp-epsilon:epsilon=0.1'), [{ text: 'LRP-ε (ε = 0.1)' }]);
    assert.deepEqual(title('lrp-gamma'), [{ text: 'LRP-γ' }]);
    assert.deepEqual(title('integrated-gradients'), [{ text: 'Integrated Gradients' }]);
    assert.equal(methodTitleText(parseMethodSpec('lrp-a1.2b0.2')), 'LRP-α1.2β0.2');
    assert.equal(methodTitleText(parseMethodSpec('lrp-a1.5b0.5')), 'LRP-α1.5β0.5');
    for (const m of listMethods()) assert.ok(methodTitleText(parseMethodSpec(m.id)).length > 0);
  });

  test('listMethods describes every parameter', () => {
    for (const m of listMethods()) {
      assert.ok(m.description.length > 10, m.id);
      for (const p of m.params) {
        assert.ok(p.description.length > 5, `${m.id}.${p.name}`);
        assert.ok(p.min === undefined || p.default >= p.min);
        assert.ok(p.max === undefined || p.default <= p.max);
      }
    }
  });
});
