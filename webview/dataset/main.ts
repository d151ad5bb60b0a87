// Entry of the dataset browser webview (bundled to dist/dataset.js): says "ready", then shows either the
// grid of the opened file or the reason it could not be opened.
import './elements';
import './dataset.css';
import './strategies.css';
import type { ToDatasetView } from '../../src/protocol/datasetMessages';
import { el } from '../dom';
import { connectToHost } from '../hostBridge';
import { DatasetView, type DatasetHostBridge } from './datasetView';

const host: DatasetHostBridge = connectToHost();
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
let view: DatasetView | undefined;

host.onMessage((msg: ToDatasetView) => {
  switch (msg.type) {
    case 'open-failed':
      view = undefined;
      show(openFailed(msg.name, msg.message, msg.folder === true));
      break;
    case 'dataset':
      view = new DatasetView(msg.info, host);
      show(view.element);
      break;
    case 'thumbnails':
      view?.thumbnailReplies.answer(msg.inReplyTo, msg.pixels);
      break;
    case 'thumbnails-failed':
      view?.thumbnailReplies.fail(msg.inReplyTo, new Error(msg.message));
      break;
    case 'predictions-reset':
      view?.onPredictionsReset(msg.runId, msg.model);
      break;
    case 'predictions-chunk':
      view?.onPredictionsChunk(msg.runId, msg.chunk);
      break;
    case 'predictions-status':
      view?.onPredictionsStatus(msg.runId, msg.status);
      break;
    case 'evaluate-status':
      view?.onEvaluateStatus(msg.status);
      break;
    case 'strategies-status':
      view?.onStrategiesStatus(msg.status);
      break;
    case 'read-notes':
      view?.onReadNotes(msg.notes, msg.unreadable);
      break;
  }
});
host.post({ type: 'ready' });

function show(content: HTMLElement): void {
  app.replaceChildren(content);
  app.removeAttribute('aria-busy');
}

/** A file the readers refused: say why, and offer the text editor (CSV files are text, after all). */
function openFailed(name: string, message: string, folder: boolean): HTMLElement {
  if (folder) {
    return el('div', { class: 'open-failed' }, [
      el('h1', { text: `Cannot show ${name} as a data set` }),
      el('p', { id: 'error', class: 'error', attrs: { role: 'alert' }, text: message }),
      el('p', { class: 'muted', text: 'Browse Folder as Dataset reads <folder>/<class>/<image> with images in PNG, JPEG, BMP, GIF or WebP: one subfolder per class, as torchvision’s ImageFolder.' }),
    ]);
  }
  const reopen = el('vscode-button', { id: 'reopen-as-text', attrs: { secondary: true } }, ['Reopen with Text Editor']);
  reopen.addEventListener('click', () => host.post({ type: 'reopen-as-text' }));
  return el('div', { class: 'open-failed' }, [
    el('h1', { text: `Cannot show ${name} as a data set` }),
    el('p', { id: 'error', class: 'error', attrs: { role: 'alert' }, text: message }),
    el('p', {
      class: 'muted',
      text: 'Explain Image reads MNIST IDX images (*-idx3-ubyte, optionally .gz, labels from the idx1 file beside them), NumPy .npy/.npz arrays of shape (N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1 or 3, or (N, S²), CIFAR-10/100 binary batches (data_batch_N.bin, test_batch.bin, train.bin, test.bin), folders of images in class subfolders, and CSV files with 784 pixels (or a label and 784 pixels) per line.',
    }),
    reopen,
  ]);
}
