// UserError's contract: one line naming the file, whatever bytes a damaged file's names brought along.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUserError, UserError } from '../../../src/engine/errors';

test('a UserError names the file and stays one line: control characters are escaped', () => {
  const e = new UserError('node "/Sub" reads "\n\r/Sub_k\u0003std\u007f"', '/tmp/m.onnx');
  assert.equal(e.message, '/tmp/m.onnx: node "/Sub" reads "\\x0a\\x0d/Sub_k\\x03std\\x7f"');
  assert.ok(!/[\u0000-\u001f]/.test(e.message));
  assert.ok(isUserError(e));
  assert.equal(new UserError('plain words, é and ∑ kept').message, 'plain words, é and ∑ kept');
});
