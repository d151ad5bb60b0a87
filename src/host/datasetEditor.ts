// "Explain Image: Dataset", a read-only custom editor for MNIST IDX, NumPy .npy/.npz, CIFAR binary batches
// and MNIST-layout CSV files, and the same browser in a panel for a folder of images ("Browse Folder as
// Dataset": a custom editor cannot open a folder). Opening reads only the header and the labels; the grid
// asks for pixels as it scrolls. A bad file opens too, and the editor shows the reader's message.
import * as path from 'path';
import * as vscode from 'vscode';
import { openDataset, type Dataset } from '../engine/data/datasetFile';
import { UserError } from '../engine/errors';
import { DatasetBrowser } from './dataset/datasetBrowser';
import { FOLDER_VIEW_TYPE } from './dataset/viewTypes';
import type { HostServices } from './hostServices';

export const DATASET_VIEW_TYPE = 'explainImage.dataset';
/**
 * The same editor for *.csv and CIFAR-100's train.bin / test.bin. A custom editor's priority holds for all
 * its selectors, and CSV files must keep opening as text by default ("option"), as must files merely
 * called train.bin (a generic name), while IDX, NumPy and CIFAR-10's data_batch_N.bin / test_batch.bin
 * open in the grid ("default"): hence a second view type in package.json, served by the same provider.
 */
export const DATASET_CSV_VIEW_TYPE = 'explainImage.datasetCsv';

/** One open data set file. The file stays open (read at offsets) until the last editor on it closes. */
class DatasetDocument implements vscode.CustomDocument {
  /** Rejects with a UserError naming the problem when the file is not a readable data set. */
  readonly opened: Promise<Dataset>;

  constructor(readonly uri: vscode.Uri) {
    this.opened =
      uri.scheme === 'file'
        ? openDataset(uri.fsPath)
        : Promise.reject(new UserError('only files on disk can be browsed as a data set', uri.toString()));
    this.opened.catch(() => {}); // the editor reports it; nobody else must see an unhandled rejection
  }

  dispose(): void {
    // Also right when the editor closes before the file finished opening.
    this.opened.then((d) => d.close()).catch(() => {});
  }
}

class DatasetEditorProvider implements vscode.CustomReadonlyEditorProvider<DatasetDocument> {
  constructor(private readonly services: HostServices) {}

  // Returns at once: a big CSV takes a while to index, and the editor shows "Loading…" meanwhile.
  openCustomDocument(uri: vscode.Uri): DatasetDocument {
    return new DatasetDocument(uri);
  }

  resolveCustomEditor(document: DatasetDocument, panel: vscode.WebviewPanel): void {
    const browser = new DatasetBrowser(this.services, document.uri, document.opened, panel);
    panel.onDidDispose(() => browser.dispose());
  }
}


/** "Explain Image: Browse Folder as Dataset": the browser in a panel of its own, on `<root>/<class>/*.png…`. */
export function browseFolder(services: HostServices, folder: vscode.Uri): DatasetBrowser {
  const panel = vscode.window.createWebviewPanel(FOLDER_VIEW_TYPE, path.basename(folder.fsPath), vscode.ViewColumn.Active, {
    retainContextWhenHidden: true,
  });
  const opened = folder.scheme === 'file' ? openDataset(folder.fsPath) : Promise.reject(new UserError('only folders on disk can be browsed as a data set', folder.toString()));
  opened.catch(() => {});
  const browser = new DatasetBrowser(services, folder, opened, panel);
  panel.onDidDispose(() => {
    browser.dispose();
    opened.then((d) => d.close()).catch(() => {});
  });
  return browser;
}

export function registerDatasetEditor(services: HostServices): vscode.Disposable {
  const provider = new DatasetEditorProvider(services);
  const options = {
    // The grid's scroll position, selection and thumbnails survive switching tabs.
    webviewOptions: { retainContextWhenHidden: true },
    supportsMultipleEditorsPerDocument: false,
  };
  return vscode.Disposable.from(
    vscode.window.registerCustomEditorProvider(DATASET_VIEW_TYPE, provider, options),
    vscode.window.registerCustomEditorProvider(DATASET_CSV_VIEW_TYPE, provider, options),
  );
}
