// Every file a model names or has beside it is read only inside the model's folder, and only if it is a
// regular file (import/confinedFiles.ts). The attacks of issue 20: ONNX external data at `../x.bin` (with
// the right size, so that reading it would load), at `../../../../etc/passwd`, at an absolute path or a
// URL, through a symlink out of the folder, to a FIFO or /dev/zero; tfjs weight shards the same way; a
// card or labels.txt linked out of the folder or to a FIFO; the model file itself a FIFO or a device. Each
// is refused at once with one line naming the model (or card), the tensor or shard, and the location, and
// the secret file beside the folder is never read (its access time does not move). What stays inside the
// folder still loads: `sub/../w.bin`, a link to a file inside, a model folder reached through a link.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { loadAnyModel } from '../../../src/engine/import/loadAnyModel';
import { attackFolder, convNet, refused, tfjsModel, withExternal } from './attackFiles';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** The conv net with its kernel "k" in external data at `location`, in a fresh attack folder whose secret holds the kernel's bytes. */
function externalAt(location: string) {
  const { model, data } = withExternal(convNet().encode(), 'k', location);
  const folder = attackFolder(data);
  const file = path.join(folder.dir, 'model.onnx');
  fs.writeFileSync(file, model);
  return { folder, file, data };
}

describe('ONNX external data', () => {
  test('inside the folder it loads: "w.bin", "sub/../w.bin", a link to a file inside, a model folder reached through a link', async () => {
    for (const location of ['w.bin', 'sub/../w.bin', 'inner-link.bin']) {
      const { folder, file, data } = externalAt(location);
      fs.writeFileSync(path.join(folder.dir, 'w.bin'), data);
      fs.mkdirSync(path.join(folder.dir, 'sub'));
      fs.symlinkSync('w.bin', path.join(folder.dir, 'inner-link.bin'));
      const loaded = await loadAnyModel(file);
      assert.deepEqual(loaded.network.inputShape, [8, 8, 3]);
      assert.ok(loaded.files.includes(fs.realpathSync(path.join(folder.dir, 'w.bin'))), `${location}: the data file is one of the model's files`);
      loaded.network.dispose();
      // The same folder through a link to it: the files are resolved against the real folder.
      const linked = path.join(folder.root, 'linked-folder');
      fs.symlinkSync(folder.dir, linked);
      (await loadAnyModel(path.join(linked, 'model.onnx'))).network.dispose();
      assert.equal(folder.secretWasRead(), false);
    }
  });

  test('"../secret.bin" of the right size is refused, not loaded; the secret is never read', async () => {
    const { folder, file } = externalAt('../secret.bin');
    const m = await refused(file, /initializer "k"'s external data file "\.\.\/secret\.bin" leaves the model's folder; move the file into it$/);
    assert.ok(m.includes('"k"') && m.includes('../secret.bin'), 'names the tensor and the location');
    assert.equal(folder.secretWasRead(), false);
  });

  test('"../../../../etc/passwd", an absolute path, URLs, a Windows path, an empty location and a NUL byte are refused by their text', async () => {
    const cases: Array<[string, RegExp]> = [
      ['../../../../etc/passwd', /external data file "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" leaves the model's folder/],
      ['/etc/passwd', /external data file "\/etc\/passwd" is an absolute path; only files in the model's folder are read$/],
      ['file:///etc/passwd', /is a URL; only files in the model's folder are read$/],
      ['https://example.invalid/w.bin', /is a URL/],
      ['C:\\Windows\\w.bin', /is a URL|is an absolute path/],
      ['w.bin\u0000.txt', /has a NUL character in its name/],
      ['', /names no file/],
    ];
    for (const [location, pattern] of cases) {
      const { folder, file } = externalAt(location);
      await refused(file, pattern);
      assert.equal(folder.secretWasRead(), false, location);
    }
  });

  test('a symlink in the folder to the secret outside is refused, naming where it leads', async () => {
    const { folder, file } = externalAt('w.bin');
    fs.symlinkSync('../secret.bin', path.join(folder.dir, 'w.bin'));
    await refused(file, /initializer "k"'s external data file "w\.bin" links outside the model's folder \(to ".*secret\.bin"\); copy the file into it$/);
    assert.equal(folder.secretWasRead(), false);
    // A link chain: inside → inside → outside.
    const chain = externalAt('a.bin');
    fs.symlinkSync('b.bin', path.join(chain.folder.dir, 'a.bin'));
    fs.symlinkSync(chain.folder.secret, path.join(chain.folder.dir, 'b.bin'));
    await refused(chain.file, /links outside the model's folder/);
    assert.equal(chain.folder.secretWasRead(), false);
  });

  test('a FIFO (inside, or linked from outside), /dev/zero and a folder are refused without opening them: no hang, no endless read', async () => {
    const inside = externalAt('pipe.bin');
    execFileSync('mkfifo', [path.join(inside.folder.dir, 'pipe.bin')]);
    await refused(inside.file, /external data file "pipe\.bin" is a FIFO \(named pipe\), not a regular file; only regular files are read$/, { ms: 2000 });
    const linked = externalAt('pipe-link.bin');
    fs.symlinkSync(linked.folder.fifo, path.join(linked.folder.dir, 'pipe-link.bin'));
    await refused(linked.file, /"pipe-link\.bin" links outside the model's folder/, { ms: 2000 });
    const zero = externalAt('zero.bin');
    fs.symlinkSync('/dev/zero', path.join(zero.folder.dir, 'zero.bin'));
    await refused(zero.file, /"zero\.bin" links outside the model's folder \(to "\/dev\/zero"\)/, { ms: 2000 });
    const folderAsData = externalAt('sub');
    fs.mkdirSync(path.join(folderAsData.folder.dir, 'sub'));
    await refused(folderAsData.file, /external data file "sub" is a folder, not a regular file/);
  });
});

describe('the model file itself, tfjs shards, cards and labels.txt', () => {
  test('a model file that is a FIFO or a device is refused at once', async () => {
    const folder = attackFolder(new Uint8Array(4));
    const fifo = path.join(folder.dir, 'model.onnx');
    execFileSync('mkfifo', [fifo]);
    await refused(fifo, /the model file is a FIFO \(named pipe\), not a regular file; only regular files are read$/, { ms: 2000 });
    const keras = path.join(folder.dir, 'model.keras');
    fs.symlinkSync('/dev/zero', keras);
    await refused(keras, /the model file is a device, not a regular file/, { ms: 2000 });
    const json = path.join(folder.dir, 'model.json');
    fs.symlinkSync(folder.fifo, json);
    await refused(json, /the model file is a FIFO/, { ms: 2000 });
  });

  test('tfjs weight shards: "../secret.bin", a link out, an absolute path and a URL are refused; the secret is never read', async () => {
    const good = tfjsModel();
    for (const [shardPath, pattern, prepare] of [
      ['../secret.bin', /weight shard "\.\.\/secret\.bin" leaves the model's folder/, undefined],
      ['shard.bin', /weight shard "shard\.bin" links outside the model's folder/, (dir: string, secret: string) => fs.symlinkSync(secret, path.join(dir, 'shard.bin'))],
      ['/etc/passwd', /weight shard "\/etc\/passwd" is an absolute path/, undefined],
      ['https://example.invalid/shard.bin', /weight shard "https:\/\/example\.invalid\/shard\.bin" is a URL/, undefined],
    ] as const) {
      const folder = attackFolder(good.shard);
      const file = path.join(folder.dir, 'model.json');
      fs.writeFileSync(file, tfjsModel(1, shardPath).json);
      prepare?.(folder.dir, folder.secret);
      await refused(file, pattern);
      assert.equal(folder.secretWasRead(), false, shardPath);
    }
    // The same model with its shard beside it loads.
    const folder = attackFolder(good.shard);
    fs.writeFileSync(path.join(folder.dir, 'model.json'), good.json);
    fs.writeFileSync(path.join(folder.dir, 'group1-shard1of1.bin'), good.shard);
    (await loadAnyModel(path.join(folder.dir, 'model.json'))).network.dispose();
  });

  test('card.json and labels.txt linked out of the folder, to a FIFO or to /dev/zero are refused naming them; the secret card is never read', async () => {
    for (const [name, target, pattern] of [
      ['card.json', 'secret', /card\.json: the file links outside the model's folder/],
      ['card.json', 'fifo', /card\.json: the file links outside the model's folder/],
      ['card.json', '/dev/zero', /card\.json: the file links outside the model's folder \(to "\/dev\/zero"\)/],
      ['model.onnx.card.json', 'secret', /model\.onnx\.card\.json: the file links outside the model's folder/],
      ['labels.txt', 'secret', /labels\.txt: the file links outside the model's folder/],
    ] as const) {
      const folder = attackFolder(new TextEncoder().encode(JSON.stringify({ labels: ['a', 'b', 'c'] })));
      const file = path.join(folder.dir, 'model.onnx');
      fs.writeFileSync(file, convNet().encode());
      fs.symlinkSync(target === 'secret' ? folder.secret : target === 'fifo' ? folder.fifo : target, path.join(folder.dir, name));
      await refused(file, pattern, { names: path.join(folder.dir, name), ms: 2000 });
      assert.equal(folder.secretWasRead(), false, `${name} → ${target}`);
    }
    // A card that is a FIFO in the folder itself.
    const folder = attackFolder(new Uint8Array(1));
    const file = path.join(folder.dir, 'model.onnx');
    fs.writeFileSync(file, convNet().encode());
    execFileSync('mkfifo', [path.join(folder.dir, 'card.json')]);
    await refused(file, /card\.json: the file is a FIFO \(named pipe\), not a regular file/, { names: path.join(folder.dir, 'card.json'), ms: 2000 });
  });
});
