// Compare Models' pick: the remembered choice is ticked while its models exist; otherwise the fallback
// (the setting's models, or the data set's bundled ones). Bundled models are stored by id, others by path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelChoice, ticked } from '../../../src/host/compareModelsChoice';
import type { ModelEntry } from '../../../src/host/modelCatalog';

const bundled = (id: string): ModelEntry => ({ id, path: `/ext/models/${id}/model.json`, bundled: true, card: {} });
const own = (id: string): ModelEntry => ({ id, path: `/ws/${id}`, bundled: false, card: {} });
const ALL = [bundled('mnist-cnn'), bundled('mnist-mlp'), bundled('fashion-cnn'), own('mine/model.onnx')];

test('a bundled model is remembered by its id, a workspace model by its path', () => {
  assert.equal(modelChoice(ALL[0]), 'mnist-cnn');
  assert.equal(modelChoice(ALL[3]), '/ws/mine/model.onnx');
});

test('the remembered models are ticked; the fallback only when none of them exists any more', () => {
  const fallback = [ALL[0], ALL[1]];
  assert.deepEqual([...ticked(ALL, ['fashion-cnn', '/ws/mine/model.onnx'], fallback)], ['fashion-cnn', '/ws/mine/model.onnx']);
  assert.deepEqual([...ticked(ALL, ['fashion-cnn', '/ws/deleted.onnx'], fallback)], ['fashion-cnn'], 'a deleted model is dropped');
  assert.deepEqual([...ticked(ALL, ['/ws/deleted.onnx'], fallback)], ['mnist-cnn', 'mnist-mlp'], 'nothing left: the fallback');
  assert.deepEqual([...ticked(ALL, undefined, fallback)], ['mnist-cnn', 'mnist-mlp'], 'never chosen: the fallback');
  assert.deepEqual([...ticked(ALL, [], [])], []);
});
