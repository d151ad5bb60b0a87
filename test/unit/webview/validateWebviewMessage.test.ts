import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import {
  MAX_EXPORT_DATA_URL_LENGTH,
  validateWebviewMessage,
  webviewMessageProblem,
} from '../../../src/host/validateWebviewMessage';
import { slug, suggestedFileName } from '../../../webview/exportImage';

/** A real 2×2 PNG, encoded by pngjs, as a data URL. */
function pngDataUrl(): string {
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(200);
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

const valid = [
  { type: 'ready' },
  { type: 'pick-method' },
  { type: 'pick-model' },
  { type: 'cancel' },
  { type: 'retry' },
  { type: 'select-image', index: 0 },
  { type: 'select-image', index: 3 },
  { type: 'select-target', target: null },
  { type: 'select-target', target: 9 },
  { type: 'set-display', display: {} },
  { type: 'set-display', display: { colormap: 'viridis' } },
  { type: 'set-display', display: { normalization: { kind: 'percentile', p: 99.5 } } },
  { type: 'set-display', display: { normalization: { kind: 'max' }, overlay: true, opacity: 0 } },
  { type: 'set-display', display: { colormap: 'bwr', normalization: { kind: 'percentile', p: 100 }, overlay: false, opacity: 1 } },
  { type: 'export', requestId: 0, dataUrl: pngDataUrl(), suggestedName: 'seven-lrp-ab-class-7.png' },
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
  ['export without name', { type: 'export', requestId: 0, dataUrl: pngDataUrl() }],
  ['export requestId NaN', { type: 'export', requestId: Number.NaN, dataUrl: pngDataUrl(), suggestedName: 'a.png' }],
  ['export requestId negative', { type: 'export', requestId: -1, dataUrl: pngDataUrl(), suggestedName: 'a.png' }],
  ['export jpeg', { type: 'export', requestId: 0, dataUrl: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==', suggestedName: 'a.png' }],
  ['export svg', { type: 'export', requestId: 0, dataUrl: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=', suggestedName: 'a.png' }],
  ['export png label, gif bytes', { type: 'export', requestId: 0, dataUrl: `data:image/png;base64,${Buffer.from('GIF89a....').toString('base64')}`, suggestedName: 'a.png' }],
  ['export bad base64', { type: 'export', requestId: 0, dataUrl: 'data:image/png;base64,iVBORw0KGgo!!!!', suggestedName: 'a.png' }],
  ['export file URL', { type: 'export', requestId: 0, dataUrl: 'file:///etc/passwd', suggestedName: 'a.png' }],
  ['export dataUrl number', { type: 'export', requestId: 0, dataUrl: 42, suggestedName: 'a.png' }],
  ['export name with folder', { type: 'export', requestId: 0, dataUrl: pngDataUrl(), suggestedName: '../../.bashrc' }],
  ['export name with backslash', { type: 'export', requestId: 0, dataUrl: pngDataUrl(), suggestedName: 'a\\b.png' }],
  ['export name with newline', { type: 'export', requestId: 0, dataUrl: pngDataUrl(), suggestedName: 'a\nb.png' }],
  ['export name empty', { type: 'export', requestId: 0, dataUrl: pngDataUrl(), suggestedName: '' }],
  ['export name too long', { type: 'export', requestId: 0, dataUrl: pngDataUrl(), suggestedName: `${'a'.repeat(300)}.png` }],
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

test('oversized export data URLs are rejected before they are parsed', () => {
  const base = pngDataUrl();
  const padding = 'A'.repeat(MAX_EXPORT_DATA_URL_LENGTH - base.length + 4);
  const huge = base.replace(/=*$/, '') + padding;
  assert.ok(huge.length > MAX_EXPORT_DATA_URL_LENGTH);
  assert.match(webviewMessageProblem({ type: 'export', requestId: 0, dataUrl: huge, suggestedName: 'a.png' })!, /larger than/);
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
    assert.equal(webviewMessageProblem({ type: 'export', requestId: 0, dataUrl: pngDataUrl(), suggestedName: n }), null, n);
  }
});
