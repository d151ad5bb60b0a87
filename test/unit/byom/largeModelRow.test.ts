// Select Model does not read a workspace model over 64 MiB while the pick is open: its row says its size
// and "read when chosen" instead of facts the engine has not read yet.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { deferredSize, describeFacts, PROBE_LIMIT_BYTES, staticFacts } from '../../../src/host/modelFacts';

test('a model file over the limit is listed with its size and "read when chosen"', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-large-'));
  const large = path.join(dir, 'big.onnx');
  fs.writeFileSync(large, '');
  fs.truncateSync(large, 300 * 1024 * 1024); // sparse: takes no disk space
  const small = path.join(dir, 'small.onnx');
  fs.writeFileSync(small, Buffer.alloc(1000));
  try {
    assert.equal(deferredSize(large), 300 * 1024 * 1024);
    assert.equal(deferredSize(small), undefined);
    assert.equal(deferredSize(path.join(dir, 'gone.onnx')), undefined);
    assert.equal(deferredSize(small, 999), 1000, 'the limit is a parameter');
    assert.equal(PROBE_LIMIT_BYTES, 64 * 1024 * 1024);
    assert.equal(describeFacts({ ...staticFacts(large), deferredBytes: deferredSize(large) }), '300 MB, read when chosen, NCHW');
    // With a card the card's facts stay; only what the engine would have filled in is replaced.
    fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ dataset: 'cats', labels: ['a', 'b'] }));
    assert.equal(describeFacts({ ...staticFacts(large), deferredBytes: deferredSize(large) }), 'cats · 300 MB, read when chosen, NCHW · 2 labels');
    fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ inputShape: [224, 224, 3] }));
    assert.equal(describeFacts({ ...staticFacts(large), deferredBytes: deferredSize(large) }), 'input 224×224×3 RGB, NCHW · 300 MB, read when chosen', 'the size goes last when the card gives the shape');
    // Not deferred: the old wording until the engine has read it.
    fs.rmSync(path.join(dir, 'card.json'));
    assert.equal(describeFacts(staticFacts(small)), 'input shape read on first use, NCHW');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
