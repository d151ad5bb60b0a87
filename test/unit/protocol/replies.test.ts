// Request and reply paired one way everywhere (protocol/replies.ts): each request settles with its own
// reply, whatever order replies come in; a reply nobody waits for is refused; timeouts and failures
// reject only their own request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingReplies } from '../../../src/protocol/replies';

test('replies settle their own requests, in any order', async () => {
  const pending = new PendingReplies<string>();
  const sent: number[] = [];
  const first = pending.request((id) => sent.push(id));
  const second = pending.request((id) => sent.push(id));
  assert.equal(sent.length, 2);
  assert.notEqual(sent[0], sent[1], 'each request has its own messageId');
  assert.equal(pending.size, 2);
  assert.equal(pending.answer(sent[1], 'two'), true);
  assert.equal(pending.answer(sent[0], 'one'), true);
  assert.deepEqual(await Promise.all([first, second]), ['one', 'two']);
  assert.equal(pending.size, 0);
  assert.equal(pending.answer(sent[0], 'again'), false, 'answered once only');
  assert.equal(pending.answer(999, 'unasked'), false);
});

test('a failure or a timeout rejects only its own request', async () => {
  const pending = new PendingReplies<number>();
  const ids: number[] = [];
  const failed = pending.request((id) => ids.push(id));
  const timed = pending.request((id) => ids.push(id), { ms: 20, error: () => new Error('no answer in 20 ms') });
  const answered = pending.request((id) => ids.push(id));
  assert.equal(pending.fail(ids[0], new Error('the host could not read them')), true);
  await assert.rejects(failed, /could not read them/);
  await assert.rejects(timed, /no answer in 20 ms/);
  assert.equal(pending.answer(ids[1], 5), false, 'a reply after the timeout finds nobody');
  pending.answer(ids[2], 7);
  assert.equal(await answered, 7);
});

test('failAll rejects everything still waiting', async () => {
  const pending = new PendingReplies<void>();
  const all = [pending.request(() => undefined), pending.request(() => undefined)];
  pending.failAll(new Error('closed'));
  for (const p of all) await assert.rejects(p, /closed/);
  assert.equal(pending.size, 0);
});
