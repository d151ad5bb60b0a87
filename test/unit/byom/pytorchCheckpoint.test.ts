// PyTorch's pickled files (test/fixtures/pytorch/, written by scripts/fixtures/pytorch_checkpoints.py with
// torch 1.13) are recognised by their bytes, refused in one line by the engine and the CLI, and answered
// with torch.onnx.export lines for that file.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { checkpointKind, exportSnippet, parseChwShape } from '../../../src/engine/import/pytorchCheckpoint';
import { loadAnyModel } from '../../../src/engine/import/loadAnyModel';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { bundleReady, CLI } from '../bundles';

const FIXTURES = path.resolve(__dirname, '../../fixtures/pytorch');
const fixture = (name: string) => path.join(FIXTURES, name);

describe('PyTorch checkpoints recognised by their bytes', () => {
  it('tells torch.save zips, TorchScript zips and legacy pickles apart', async () => {
    assert.equal(await checkpointKind(fixture('tiny-state.pt')), 'state');
    assert.equal(await checkpointKind(fixture('tiny-module.pth')), 'state');
    assert.equal(await checkpointKind(fixture('tiny-lightning.ckpt')), 'state');
    assert.equal(await checkpointKind(fixture('tiny-script.pt')), 'torchscript');
    assert.equal(await checkpointKind(fixture('tiny-legacy.pth')), 'pickle');
  });

  it('by content, not by name: a renamed checkpoint is one, a .pt that is not a pickle is not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
    const renamed = path.join(dir, 'weights.onnx');
    fs.copyFileSync(fixture('tiny-state.pt'), renamed);
    assert.equal(await checkpointKind(renamed), 'state');
    const legacyRenamed = path.join(dir, 'model.data');
    fs.copyFileSync(fixture('tiny-legacy.pth'), legacyRenamed);
    assert.equal(await checkpointKind(legacyRenamed), 'pickle');
    const text = path.join(dir, 'notes.pt');
    fs.writeFileSync(text, 'not a checkpoint');
    assert.equal(await checkpointKind(text), undefined);
    // Other zips of ours: a .keras and an .npz hold no data.pkl.
    assert.equal(await checkpointKind(path.resolve(__dirname, '../../fixtures/keras/sequential-cnn.keras')), undefined);
    assert.equal(await checkpointKind(path.resolve(__dirname, '../../../models/samples/mnist-test-1k.npz')), undefined);
    assert.equal(await checkpointKind(path.resolve(__dirname, '../../fixtures/onnx/mnist-view-flatten-opset17.onnx')), undefined);
    // A zip cut short (no central directory) is not recognisably PyTorch's; an empty and a missing file neither.
    const cut = path.join(dir, 'cut.pt');
    fs.writeFileSync(cut, fs.readFileSync(fixture('tiny-state.pt')).subarray(0, 200));
    assert.equal(await checkpointKind(cut), undefined);
    fs.writeFileSync(path.join(dir, 'empty.pt'), '');
    assert.equal(await checkpointKind(path.join(dir, 'empty.pt')), undefined);
    assert.equal(await checkpointKind(path.join(dir, 'missing.pt')), undefined);
    // A FIFO is never opened (that would wait for a writer for ever), a folder neither.
    const fifo = path.join(dir, 'pipe.pt');
    execFileSync('mkfifo', [fifo]);
    assert.equal(await checkpointKind(fifo), undefined);
    assert.equal(await checkpointKind(dir), undefined);
  });

  it('the engine refuses one in one line naming the file and the reason, whatever its name', async () => {
    await initBackend(nodeModulesWasmDir());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
    const renamed = path.join(dir, 'net.onnx');
    fs.copyFileSync(fixture('tiny-script.pt'), renamed);
    for (const [file, what] of [[fixture('tiny-state.pt'), 'a PyTorch checkpoint'], [renamed, 'a TorchScript archive'], [fixture('tiny-legacy.pth'), 'a pickle']]) {
      await assert.rejects(loadAnyModel(file), (e: Error) => {
        assert.equal(e.name, 'UserError');
        assert.ok(e.message.startsWith(`${file}: is ${what}`), e.message);
        assert.match(e.message, /pickled Python, which Explain Image never runs; export the model to ONNX with torch\.onnx\.export/);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
    }
  });
});

describe('the export snippet', () => {
  it('loads the named file, traces the given shape and writes the .onnx beside it', () => {
    const text = exportSnippet('/models/cats v2/best.pth', 'state', [3, 64, 48]);
    const lines = text.split('\n');
    assert.ok(lines.includes('checkpoint = torch.load("/models/cats v2/best.pth", map_location="cpu")'), text);
    assert.ok(lines.includes('x = torch.zeros(1, 3, 64, 48)  # one image: (batch, channels, height, width)'), text);
    assert.ok(lines.includes('    model, x, "/models/cats v2/best.onnx",'), text);
    assert.ok(lines.includes('    dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},'), text);
    assert.ok(lines.includes('    state = checkpoint.get("state_dict", checkpoint)  # Lightning keeps it under "state_dict"'), text);
    assert.ok(lines[0].includes('not best.pth'), lines[0]);
  });

  it('without a shape: 3×224×224 marked to be checked; TorchScript loads with torch.jit.load; Windows paths stay literal', () => {
    const text = exportSnippet('C:\\work\\net.pt', 'torchscript');
    assert.ok(text.includes('model = torch.jit.load("C:\\\\work\\\\net.pt", map_location="cpu")'), text);
    assert.ok(text.includes('x = torch.zeros(1, 3, 224, 224)  # CHECK:'), text);
    assert.ok(!text.includes('torch.load('), 'TorchScript is not unpickled with torch.load');
  });

  it('reads the shape as the user types it', () => {
    assert.deepEqual(parseChwShape('3, 224, 224'), [3, 224, 224]);
    assert.deepEqual(parseChwShape('1x28x28'), [1, 28, 28]);
    assert.deepEqual(parseChwShape('(1, 3, 32, 32)'), [3, 32, 32]);
    assert.deepEqual(parseChwShape('[3, 96, 72]'), [3, 96, 72]);
    assert.equal(parseChwShape('3, 224'), undefined);
    assert.equal(parseChwShape('2, 3, 32, 32'), undefined);
    assert.equal(parseChwShape('3, 0, 4'), undefined);
    assert.equal(parseChwShape('three'), undefined);
    assert.equal(parseChwShape('3; rm -rf'), undefined);
  });
});

describe('the CLI on a checkpoint', () => {
  before(() => bundleReady(CLI));

  it('says why in one line, then prints the export lines for the file it was given', () => {
    const model = path.relative(process.cwd(), fixture('tiny-lightning.ckpt'));
    const r = spawnSync(process.execPath, [CLI, 'explain', path.resolve(__dirname, '../../../models/samples/mnist-7-0000.png'), '--model', model, '--method', 'lrp-a2b1', '--workers', '1'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    const [first, ...rest] = r.stderr.split('\n');
    assert.equal(first, `explain-image: ${model}: is a PyTorch checkpoint: pickled Python, which Explain Image never runs; export the model to ONNX with torch.onnx.export and open the .onnx file`);
    assert.equal(rest.join('\n').trim().split('\n').slice(2).join('\n') + '\n', exportSnippet(model, 'state'));
    assert.equal(r.stdout, '');
  });
});
