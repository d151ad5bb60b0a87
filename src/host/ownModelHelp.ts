// Help for a user bringing their own model: a PyTorch file says why it cannot be read and offers the
// torch.onnx.export lines for it; a model without a card says what was assumed and offers "Create Card…";
// a card with fields the engine does not use says which. The texts and the card itself are made by
// engine/import/pytorchCheckpoint.ts and cardDraft.ts (unit-tested); this file is the VS Code side.
import * as path from 'path';
import * as vscode from 'vscode';
import { checkpointMessage, exportSnippet, parseChwShape, type CheckpointKind } from '../engine/import/pytorchCheckpoint';
import { noCardHint } from '../engine/model/modelCard';
import { draftCard, IMAGENET_NORMALISATION, INPUT_RANGES, labelsProblem, parseLabels, parseNormalisation, writeCard, type CardAnswers } from './cardDraft';
import type { EngineService } from './engineService';
import type { CardFindings } from './modelFacts';
import { logRun } from './runLog';

export const EXPORT_SNIPPET_ACTION = 'Open Export Snippet';
export const CREATE_CARD_ACTION = 'Create Card…';

/** Absolute paths in a message as the user sees the files: workspace-relative. */
function relative(message: string, files: string[]): string {
  return files.reduce((m, f) => m.split(f).join(vscode.workspace.asRelativePath(f)), message);
}

/**
 * A PyTorch file chosen as a model: one line why it cannot be read; its button asks for the input shape
 * (empty: 3×224×224, marked to check) and opens the export lines in an untitled Python document.
 */
export async function offerCheckpointExport(file: string, kind: CheckpointKind, log: vscode.OutputChannel): Promise<vscode.TextDocument | undefined> {
  const name = vscode.workspace.asRelativePath(file);
  const message = `${name}: ${checkpointMessage(kind)}`;
  logRun(log, 'model', [`${name} not used`, message]);
  const action = await vscode.window.showErrorMessage(`Explain Image: ${message}`, EXPORT_SNIPPET_ACTION);
  if (action !== EXPORT_SNIPPET_ACTION) return undefined;
  const shape = await vscode.window.showInputBox({
    title: `Export ${path.basename(file)} to ONNX: the input of one image`,
    prompt: 'Channels, height, width (e.g. 3, 224, 224 or 1, 28, 28). Empty: 3, 224, 224, marked to check in the snippet',
    placeHolder: '3, 224, 224',
    validateInput: (text) => (!text.trim() || parseChwShape(text) ? undefined : 'Three whole numbers: channels, height, width (e.g. 1, 28, 28)'),
  });
  if (shape === undefined) return undefined;
  const document = await vscode.workspace.openTextDocument({ language: 'python', content: exportSnippet(file, kind, parseChwShape(shape)) });
  await vscode.window.showTextDocument(document);
  return document;
}

/** Models whose card findings were told in this session. */
const toldFindings = new Set<string>();

/**
 * A model read for a panel without being chosen in this session (the setting explainImage.model, at start-up
 * or after settings.json changed): its card findings, once per session, as a pick would have told them.
 */
export function tellCardFindingsOnce(modelId: string, modelPath: string, findings: CardFindings): void {
  if (!toldFindings.has(modelPath)) tellCardFindings(modelId, modelPath, findings);
}

/** After a model was chosen: a warning naming card fields not used, and the hint of a model without a card. */
export function tellCardFindings(modelId: string, modelPath: string, findings: CardFindings): void {
  toldFindings.add(modelPath);
  if (findings.cardWarnings.length > 0) {
    void vscode.window.showWarningMessage(`Explain Image: ${relative(findings.cardWarnings.join(' · '), findings.cardFile ? [findings.cardFile] : [])}`);
  }
  if (findings.cardFile === null && findings.cardAssumed.length > 0) {
    void vscode.window.showInformationMessage(`Explain Image: ${modelId}: ${noCardHint(findings.cardAssumed)}`, CREATE_CARD_ACTION).then((action) => {
      if (action === CREATE_CARD_ACTION) void vscode.commands.executeCommand('explainImage.createCard', vscode.Uri.file(modelPath));
    });
  }
}

/**
 * "Create Card…": asks for the class names (the model's count, labels.txt's or 0…n−1 filled in), the input
 * range and the normalisation; writes the card beside the model and reads the model again with it, so a
 * card that does not fit says so now. Returns the card's path, or undefined when cancelled or refused.
 */
export async function createCard(engine: EngineService, modelPath: string, log: vscode.OutputChannel): Promise<string | undefined> {
  const name = vscode.workspace.asRelativePath(modelPath);
  const info = await engine.modelInfo({ path: modelPath });
  if (info.cardFile) {
    const open = await vscode.window.showInformationMessage(`Explain Image: ${name} has a card: ${vscode.workspace.asRelativePath(info.cardFile)}`, 'Open Card');
    if (open) await vscode.window.showTextDocument(vscode.Uri.file(info.cardFile));
    return undefined;
  }
  const count = info.card.labels.length;
  const channels = info.card.inputShape[2];
  const title = (step: number, what: string) => `Create card for ${name} (${step}/3): ${what}`;
  const labelsText = await vscode.window.showInputBox({
    title: title(1, 'class names'),
    prompt: `${count} names in the order of the model's logits, separated by commas`,
    value: info.card.labels.join(', '),
    ignoreFocusOut: true,
    validateInput: (text) => labelsProblem(parseLabels(text), count),
  });
  if (labelsText === undefined) return undefined;
  const range = await vscode.window.showQuickPick(
    INPUT_RANGES.map((r) => ({ label: r.label, detail: r.detail, range: r.range })),
    { title: title(2, 'input range'), placeHolder: 'The values of a pixel as the model was trained on them, before mean/std', ignoreFocusOut: true },
  );
  if (!range) return undefined;
  const normalisations = [
    { label: 'None', detail: 'No mean/std after the range' },
    ...(channels === 3 ? [{ label: 'ImageNet mean/std', detail: `mean ${IMAGENET_NORMALISATION.mean.join(', ')}; std ${IMAGENET_NORMALISATION.std.join(', ')} (torchvision's pretrained weights)` }] : []),
    { label: 'Other…', detail: 'Type the mean and std of your Normalize(...)' },
  ];
  const normalisation = await vscode.window.showQuickPick(normalisations, { title: title(3, 'normalisation'), placeHolder: '(x − mean) / std after the range', ignoreFocusOut: true });
  if (!normalisation) return undefined;
  const answers: CardAnswers = { labels: parseLabels(labelsText), inputRange: range.range };
  if (normalisation.label === 'ImageNet mean/std') Object.assign(answers, IMAGENET_NORMALISATION);
  if (normalisation.label === 'Other…') {
    const text = await vscode.window.showInputBox({
      title: title(3, 'mean; std'),
      prompt: `mean, a semicolon, then std: 1 or ${channels} numbers each`,
      placeHolder: channels === 3 ? '0.5, 0.5, 0.5; 0.5, 0.5, 0.5' : '0.1307; 0.3081',
      ignoreFocusOut: true,
      validateInput: (t) => {
        const parsed = parseNormalisation(t, channels);
        return typeof parsed === 'string' ? parsed : undefined;
      },
    });
    if (text === undefined) return undefined;
    Object.assign(answers, parseNormalisation(text, channels));
  }
  const file = writeCard(modelPath, draftCard(modelPath, info.card, answers));
  const cardName = vscode.workspace.asRelativePath(file);
  try {
    const loaded = await engine.modelInfo({ path: modelPath }, { recheck: true });
    logRun(log, 'model', [`${cardName} written`, `${loaded.card.labels.length} labels, input range [${loaded.card.inputRange}]`]);
    void vscode.window.showInformationMessage(`Explain Image: wrote ${cardName}; ${name} reads it: ${loaded.card.labels.length} classes, input range [${loaded.card.inputRange?.join(', ')}]${loaded.card.mean !== undefined ? ', mean/std' : ''}`, 'Open Card').then((open) => {
      if (open) void vscode.window.showTextDocument(vscode.Uri.file(file));
    });
  } catch (e) {
    void vscode.window.showErrorMessage(`Explain Image: wrote ${cardName}, but ${relative((e as Error).message, [file, modelPath])}`);
  }
  return file;
}
