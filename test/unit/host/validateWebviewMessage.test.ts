import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import {
  MAX_EXPORT_PNG_BYTES,
  validateWebviewMessage,
  webviewMessageProblem,
} from '../../../src/host/validateWebviewMessage';
import { slug, suggestedFileName } from '../../../webview/exportImage';

/** A real 2×2 PNG, encoded by pngjs, as the bytes a webview posts (a plain Uint8Array). */
function pngBytes(): Uint8Array {
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(200);
  return new Uint8Array(PNG.sync.write(png));
}
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

const valid = [
  { type: 'ready' },
  { type: 'pick-method' },
  { type: 'pick-model' },
  { type: 'use-display-everywhere' },
  { type: 'set-display', display: { opacityByRelevance: true } },
  { type: 'cancel' },
  { type: 'retry' },
  { type: 'cancel-evaluation' },
  { type: 'run-faithfulness' },
  { type: 'run-randomisation' },
  { type: 'select-image', index: 0 },
  { type: 'select-image', index: 3 },
  { type: 'select-target', target: null },
  { type: 'select-target', target: 9 },
  { type: 'set-display', display: {} },
  { type: 'set-display', display: { colormap: 'viridis' } },
  { type: 'set-display', display: { normalization: { kind: 'percentile', p: 99.5 } } },
  { type: 'set-display', display: { normalization: { kind: 'max' }, overlay: true, opacity: 0 } },
  { type: 'set-display', display: { colormap: 'bwr', normalization: { kind: 'percentile', p: 100 }, overlay: false, opacity: 1 } },
  { type: 'export', png: pngBytes(), suggestedName: 'seven-lrp-ab-class-7.png' },
  { type: 'export', inReplyTo: 3, png: pngBytes(), suggestedName: 'seven-lrp-ab-class-7.png' },
  { type: 'open-cell', row: 0, column: 6 },
];

test('valid messages pass unchanged', () => {
  for (const message of valid) {
    assert.equal(webviewMessageProblem(message), null, JSON.stringify(message).slice(0, 120));
    assert.equal(validateWebviewMessage(message), message);
  }
});

const invalid: Array<[string, unknown]> = [
  ['null', null],
  ['a string', 'ready'],
  ['an array', [{ type: 'ready' }]],
  ['no type', {}],
  ['numeric type', { type: 1 }],
  ['unknown type', { type: 'open-file', path: '/etc/passwd' }],
  ['extra field', { type: 'ready', extra: 1 }],
  ['index missing', { type: 'select-image' }],
  ['cell without column', { type: 'open-cell', row: 1 }],
  ['cell row negative', { type: 'open-cell', row: -1, column: 0 }],
  ['cell column fractional', { type: 'open-cell', row: 0, column: 0.5 }],
  ['index as string', { type: 'select-image', index: '1' }],
  ['index NaN', { type: 'select-image', index: Number.NaN }],
  ['index negative', { type: 'select-image', index: -1 }],
  ['index fractional', { type: 'select-image', index: 1.5 }],
  ['index infinite', { type: 'select-image', index: Number.POSITIVE_INFINITY }],
  ['target undefined', { type: 'select-target' }],
  ['target string', { type: 'select-target', target: 'seven' }],
  ['target NaN', { type: 'select-target', target: Number.NaN }],
  ['display missing', { type: 'set-display' }],
  ['display array', { type: 'set-display', display: [] }],
  ['unknown colormap', { type: 'set-display', display: { colormap: 'jet' } }],
  ['unknown display field', { type: 'set-display', display: { zoom: 2 } }],
  ['percentile NaN', { type: 'set-display', display: { normalization: { kind: 'percentile', p: Number.NaN } } }],
  ['percentile 0', { type: 'set-display', display: { normalization: { kind: 'percentile', p: 0 } } }],
  ['percentile > 100', { type: 'set-display', display: { normalization: { kind: 'percentile', p: 101 } } }],
  ['percentile missing p', { type: 'set-display', display: { normalization: { kind: 'percentile' } } }],
  ['unknown normalization', { type: 'set-display', display: { normalization: { kind: 'log' } } }],
  ['max with extra', { type: 'set-display', display: { normalization: { kind: 'max', p: 3 } } }],
  ['overlay as string', { type: 'set-display', display: { overlay: 'yes' } }],
  ['opacity > 1', { type: 'set-display', display: { opacity: 1.5 } }],
  ['opacity NaN', { type: 'set-display', display: { opacity: Number.NaN } }],
  ['opacity negative', { type: 'set-display', display: { opacity: -0.1 } }],
  ['export without name', { type: 'export', png: pngBytes() }],
  ['export inReplyTo NaN', { type: 'export', inReplyTo: Number.NaN, png: pngBytes(), suggestedName: 'a.png' }],
  ['export inReplyTo negative', { type: 'export', inReplyTo: -1, png: pngBytes(), suggestedName: 'a.png' }],
  ['export jpeg', { type: 'export', png: bytesOf('\xff\xd8\xff\xe0JFIF'), suggestedName: 'a.png' }],
  ['export svg', { type: 'export', png: bytesOf('<svg></svg>'), suggestedName: 'a.png' }],
  ['export gif bytes', { type: 'export', png: bytesOf('GIF89a....'), suggestedName: 'a.png' }],
  ['export a data URL string', { type: 'export', png: `data:image/png;base64,${Buffer.from(pngBytes()).toString('base64')}`, suggestedName: 'a.png' }],
  ['export bytes as a JSON number array', { type: 'export', png: Array.from(pngBytes()), suggestedName: 'a.png' }],
  ['export png number', { type: 'export', png: 42, suggestedName: 'a.png' }],
  ['export unexpected field', { type: 'export', png: pngBytes(), suggestedName: 'a.png', path: '/etc/passwd' }],
  ['export name with folder', { type: 'export', png: pngBytes(), suggestedName: '../../.bashrc' }],
  ['export name with backslash', { type: 'export', png: pngBytes(), suggestedName: 'a\\b.png' }],
  ['export name with newline', { type: 'export', png: pngBytes(), suggestedName: 'a\nb.png' }],
  ['export name empty', { type: 'export', png: pngBytes(), suggestedName: '' }],
  ['export name too long', { type: 'export', png: pngBytes(), suggestedName: `${'a'.repeat(300)}.png` }],
];

test('invalid messages are rejected, each with a reason', () => {
  for (const [why, message] of invalid) {
    const problem = webviewMessageProblem(message);
    assert.equal(typeof problem, 'string', `${why} should be rejected`);
    assert.equal(validateWebviewMessage(message), null, why);
  }
  assert.match(webviewMessageProblem({ type: 'open-file' })!, /unknown message type "open-file"/);
  assert.match(webviewMessageProblem({ type: 'select-image', index: Number.NaN })!, /"index" is not a non-negative integer/);
});

test('oversized export PNGs are rejected', () => {
  const huge = new Uint8Array(MAX_EXPORT_PNG_BYTES + 1);
  huge.set(pngBytes());
  assert.match(webviewMessageProblem({ type: 'export', png: huge, suggestedName: 'a.png' })!, /larger than/);
});

test('indices are checked against the counts the host knows', () => {
  const bounds = { imageCount: 3, classCount: 10 };
  assert.equal(webviewMessageProblem({ type: 'select-image', index: 2 }, bounds), null);
  assert.match(webviewMessageProblem({ type: 'select-image', index: 3 }, bounds)!, /out of range \(0\.\.2\)/);
  assert.equal(webviewMessageProblem({ type: 'select-target', target: 9 }, bounds), null);
  assert.match(webviewMessageProblem({ type: 'select-target', target: 10 }, bounds)!, /out of range/);
  assert.equal(webviewMessageProblem({ type: 'select-target', target: null }, bounds), null);
});

test('suggested export names are safe for the validator', () => {
  assert.equal(slug('LRP-α2β1'), 'LRP-alpha2beta1');
  const name = suggestedFileName(['seven.png', 'lrp-ab:alpha=2,beta=1', 'class-7']);
  assert.equal(name, 'seven-lrp-ab-alpha-2-beta-1-class-7.png');
  assert.equal(suggestedFileName(['../../etc/passwd', '']), 'etc-passwd.png');
  assert.equal(suggestedFileName(['', '']), 'heatmap.png');
  for (const n of [name, suggestedFileName(['../../etc/passwd']), suggestedFileName(['x'.repeat(500)])]) {
    assert.equal(webviewMessageProblem({ type: 'export', png: pngBytes(), suggestedName: n }), null, n);
  }
});
