// The method table (methodTable.ts) is what the engine, the CLI and the panels derive everything from:
// each record runs in the family it names, and its `conservative` flag (the panel's Σ R readout) is
// true exactly for the methods whose relevance adds up to the logit on a bias-free ReLU net.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { describeNetwork } from '../../../src/engine/methods/describeNetwork';
import { explain } from '../../../src/engine/methods/explain';
import { formatMethodSpec, listMethods, listPresets, parseMethodSpec, validateSpec } from '../../../src/engine/methods/methodRegistry';
import { METHOD_IDS, methodRecord, SEED_METHODS } from '../../../src/engine/methods/methodTable';
import { randomImages } from './nets';
import { dense, logitsRef, random, toNetwork, type RefNet } from './reference';

function biasFreeMlp(): RefNet {
  const rand = random(4);
  return {
    inputShape: [25],
    layers: [dense(rand, 25, 12, false), { kind: 'relu' }, dense(rand, 12, 8, false), { kind: 'relu' }, dense(rand, 8, 3, false)],
  };
}

/** Each method with its defaults, but where a parameter trades conservation for something else, set
 *  where the family conserves exactly: ε = 0 (ε absorbs relevance by design), αβ at α = 1, β = 0 (a column
 *  without negative contributions passes α·R on), and enough integration steps for completeness to show. */
function conservationSpec(id: (typeof METHOD_IDS)[number]): string {
  const params = methodRecord(id).params.map((p) => p.name);
  if (params.includes('epsilon')) return `${id}:epsilon=0`;
  if (params.includes('alpha')) return `${id}:alpha=1`;
  if (id === 'integrated-gradients') return `${id}:steps=2048`;
  return id;
}

describe('method table', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  test('every id, preset and seed column parses and formats back to itself', () => {
    assert.deepEqual(listMethods().map((m) => m.id), METHOD_IDS);
    for (const id of METHOD_IDS) {
      // A method whose defaults are one of its presets is called by the preset's name (lrp-ab → lrp-a2b1).
      const presets = Object.entries(methodRecord(id).presets ?? {});
      const named = presets.find(([, p]) => methodRecord(id).params.every((info) => p[info.name] === info.default))?.[0];
      assert.equal(formatMethodSpec(parseMethodSpec(id)), named ?? id);
    }
    for (const preset of listPresets()) assert.equal(formatMethodSpec(validateSpec(preset.spec)), preset.name);
    for (const spec of SEED_METHODS) assert.equal(formatMethodSpec(parseMethodSpec(spec)), spec);
  });

  test('the conservative flag: Σ R = logit exactly for the flagged methods, not for the others', () => {
    const net = biasFreeMlp();
    const network = toNetwork(net);
    try {
      const images = randomImages(78, 16, 25).filter((x) => Math.max(...logitsRef(net, x)) > 0.1).slice(0, 6);
      assert.ok(images.length >= 4, 'enough images with a positive logit');
      const specs = METHOD_IDS.map(conservationSpec);
      const results = explain(network, [5, 5, 1], { images: images.map((x) => Float32Array.from(x)), methods: specs.map(parseMethodSpec), bounds: [0, 1] });
      assert.equal(results.length, images.length * METHOD_IDS.length, 'one map per image and method: every family runs');
      for (const [k, id] of METHOD_IDS.entries()) {
        const errors = results
          .filter((r) => r.method === formatMethodSpec(parseMethodSpec(specs[k])))
          .map((r) => Math.abs(r.relevanceSum - r.logit) / Math.abs(r.logit));
        assert.equal(errors.length, images.length, id);
        if (methodRecord(id).conservative) {
          // Integrated gradients conserves up to its quadrature error; the rules to float32 rounding.
          const tolerance = id === 'integrated-gradients' ? 2e-3 : 1e-4;
          assert.ok(Math.max(...errors) <= tolerance, `${id} is flagged conservative: |Σ R − logit| / logit up to ${Math.max(...errors)}`);
        } else {
          assert.ok(Math.max(...errors) > 0.05, `${id} is not flagged conservative, yet Σ R ≈ logit on every image (${Math.max(...errors)})`);
        }
      }
    } finally {
      network.dispose();
    }
  });

  test('the node list names each family: the LRP composite rule, the ReLU variant, forward only', () => {
    const net = biasFreeMlp();
    const network = toNetwork(net);
    try {
      const firstDense = (spec: string) => describeNetwork(network, { method: parseMethodSpec(spec), bounded: true }).find((n) => n.kind === 'dense')!.rule;
      assert.equal(firstDense('deep-taylor'), 'z^B (input box) (first layer)');
      assert.equal(firstDense('epsilon-plus-flat'), 'flat (first layer)');
      assert.equal(firstDense('lrp-a2b1'), 'LRP-α2β1 (first layer)');
      assert.equal(firstDense('gradient'), 'exact gradient');
      assert.equal(firstDense('smoothgrad'), 'exact gradient');
      assert.equal(firstDense('occlusion'), 'forward only (occluded copies of the image)');
      const relu = (spec: string) => describeNetwork(network, { method: parseMethodSpec(spec) }).find((n) => n.kind === 'relu')!.rule;
      assert.notEqual(relu('guided-backprop'), relu('gradient'));
      assert.notEqual(relu('deconvnet'), relu('guided-backprop'));
    } finally {
      network.dispose();
    }
  });
});
