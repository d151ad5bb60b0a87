// Selection as in a file list: click, Ctrl/Cmd-click, Shift-click over the view order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SampleSelection } from '../../../../webview/dataset/sampleSelection';

/** A view sorted some way: sample indices in display order. */
const ORDER = Int32Array.from([40, 12, 7, 33, 5, 18]);
const selected = (s: SampleSelection) => s.inViewOrder(ORDER);

describe('SampleSelection', () => {
  it('a click selects only that sample', () => {
    const s = new SampleSelection();
    s.selectOnly(12);
    s.selectOnly(33);
    assert.deepEqual(selected(s), [33]);
    assert.equal(s.cursor, 33);
  });

  it('Ctrl-click adds and removes', () => {
    const s = new SampleSelection();
    s.selectOnly(12);
    s.toggle(5);
    s.toggle(40);
    assert.deepEqual(selected(s), [40, 12, 5]);
    s.toggle(12);
    assert.deepEqual(selected(s), [40, 5]);
  });

  it('Shift-click selects the run of the view between the anchor and the sample, either way', () => {
    const s = new SampleSelection();
    s.selectOnly(7);
    s.extendTo(ORDER, 18);
    assert.deepEqual(selected(s), [7, 33, 5, 18]);
    s.extendTo(ORDER, 40); // the anchor stays at 7
    assert.deepEqual(selected(s), [40, 12, 7]);
    assert.equal(s.anchor, 7);
    assert.equal(s.cursor, 40);
  });

  it('Shift-click without an anchor selects just the sample', () => {
    const s = new SampleSelection();
    s.extendTo(ORDER, 33);
    assert.deepEqual(selected(s), [33]);
  });

  it('a filter change forgets hidden samples, anchor and cursor included', () => {
    const s = new SampleSelection();
    s.selectOnly(12);
    s.toggle(5);
    s.keepOnly(Int32Array.from([5, 18]));
    assert.deepEqual(selected(s), [5]);
    assert.equal(s.anchor, 5);
    s.keepOnly(Int32Array.from([18]));
    assert.equal(s.size, 0);
    assert.equal(s.anchor, null);
    assert.equal(s.cursor, null);
  });
});
