// SpRAy's numerics against numbers that do not come from this code: numpy's eigenvalues, eigengap and best
// k-means of scripts/fixtures/spray_reference.py (test/fixtures/spray/reference.json), a hand-checked graph
// (two triangles: the normalised Laplacian of a triangle has eigenvalues 0, 3/2, 3/2), and the pooling.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, test } from 'node:test';
import { clusterPoints } from '../../../src/engine/spray/clustering';
import { gridFor, pooledFeatures } from '../../../src/engine/spray/features';
import { eigengap, knnAdjacency, laplacianSpectrum, normalisedLaplacian, spectralEmbedding, spectrum } from '../../../src/engine/spray/spectral';
import { mulberry32 } from '../../../src/engine/seededRandom';
import { runSpray } from '../../../src/engine/spray/sprayJob';

interface Reference {
  neighbours: number;
  maxClusters: number;
  count: number;
  dims: number;
  features: number[];
  eigenvalues: number[];
  clusters: number;
  labels: number[];
  inertia: number;
}

const reference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'spray', 'reference.json'), 'utf8')) as Reference;

describe('SpRAy numerics', () => {
  test('two triangles far apart: eigenvalues 0, 0, 3/2 × 4, eigengap 2, k-means splits them', () => {
    const points = [0, 0, 0.1, 0, 0, 0.1, 9, 9, 9.1, 9, 9, 9.1];
    const adjacency = knnAdjacency(points, 6, 2, 2);
    assert.deepEqual(Array.from(adjacency), [0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0]);
    const { values, vectors } = spectrum(normalisedLaplacian(adjacency, 6));
    values.forEach((v, k) => assert.ok(Math.abs(v - [0, 0, 1.5, 1.5, 1.5, 1.5][k]) < 1e-12, `λ${k + 1} = ${v}`));
    assert.equal(eigengap(values, 5), 2);
    const clustering = clusterPoints(spectralEmbedding(vectors, 2), 2, 3, 0);
    assert.deepEqual(clustering.labels, [0, 0, 0, 1, 1, 1]);
    assert.ok(clustering.inertia < 1e-20);
  });

  test('three blobs: eigenvalues, eigengap, best k-means and inertia equal numpy (scripts/fixtures/spray_reference.py)', () => {
    const result = runSpray({
      type: 'spray',
      features: Float32Array.from(reference.features),
      count: reference.count,
      dims: reference.dims,
      options: { neighbours: reference.neighbours, maxClusters: reference.maxClusters, restarts: 20, seed: 3 },
    });
    reference.eigenvalues.forEach((v, k) => assert.ok(Math.abs(result.eigenvalues[k] - v) < 1e-10, `λ${k + 1}: ${result.eigenvalues[k]} vs numpy ${v}`));
    assert.equal(result.clusters, reference.clusters);
    assert.deepEqual(Array.from(result.labels), reference.labels);
    assert.ok(Math.abs(result.inertia - reference.inertia) < 1e-9 * reference.inertia, `inertia ${result.inertia} vs numpy ${reference.inertia}`);
    assert.equal(result.embedding.length, reference.count * 2);
    assert.equal(result.embeddingMethod, 'umap');
  });

  test('the sparse eigensolver (Chebyshev-filtered subspace iteration) equals numpy and the dense decomposition', () => {
    // numpy's graph, the sparse path forced.
    const adjacency = knnAdjacency(reference.features, reference.count, reference.dims, reference.neighbours);
    const sparse = laplacianSpectrum(adjacency, reference.count, 12, 'sparse');
    reference.eigenvalues.forEach((v, k) => assert.ok(Math.abs(sparse.values[k] - v) < 1e-10, `λ${k + 1}: ${sparse.values[k]} vs numpy ${v}`));
    // A larger random graph: three blobs and two extra components far away (λ = 0 three times, which one
    // Krylov vector alone would find once).
    const rand = mulberry32(9);
    const n = 450;
    const d = 16;
    const features = Float32Array.from({ length: n * d }, (_, i) => {
      const row = Math.floor(i / d);
      const offset = row < 30 ? 50 : row < 60 ? -50 : (row % 3) * 0.8 * (i % d < 4 ? 1 : 0);
      return rand() + offset;
    });
    const graph = knnAdjacency(features, n, d, 10);
    const dense = laplacianSpectrum(graph, n, 12, 'dense');
    const fast = laplacianSpectrum(graph, n, 12, 'sparse');
    dense.values.forEach((v, k) => assert.ok(Math.abs(fast.values[k] - v) < 1e-10, `λ${k + 1}: sparse ${fast.values[k]} vs dense ${v}`));
    assert.ok(dense.values[2] < 1e-10 && dense.values[3] > 1e-3, `three components: ${dense.values.slice(0, 4)}`);
    // Eigenvectors: L v = λ v, orthonormal.
    const L = normalisedLaplacian(graph, n);
    for (let m = 0; m < 12; m++) {
      const v = fast.vectors.getColumn(m);
      const Lv = L.mmul(fast.vectors.subMatrix(0, n - 1, m, m)).getColumn(0);
      const residual = Math.hypot(...Lv.map((x, i) => x - fast.values[m] * v[i]));
      assert.ok(residual < 1e-9, `‖L v − λ v‖ of pair ${m + 1}: ${residual}`);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-12);
    }
  });

  test('the same seed gives the same clusters and picture; another seed the same clusters', () => {
    const job = { type: 'spray' as const, features: Float32Array.from(reference.features), count: reference.count, dims: reference.dims, options: { neighbours: 5 } };
    const a = runSpray(job);
    const b = runSpray(job);
    assert.deepEqual(Array.from(a.embedding), Array.from(b.embedding));
    const c = runSpray({ ...job, options: { neighbours: 5, seed: 11 } });
    assert.deepEqual(Array.from(c.labels), Array.from(a.labels));
  });

  test('pooling: 28 × 28 to 8 × 8 cells of ⌊u·28/8⌋ … rows, L1-normalised; a zero map stays zero', () => {
    assert.deepEqual(gridFor([28, 28]), [8, 8]);
    assert.deepEqual(gridFor([5, 12]), [5, 8]);
    const map = new Float32Array(28 * 28);
    map[0] = 2; // cell (0, 0)
    map[3 * 28 + 3] = -1; // cell 1 starts at row and column ⌊1·28/8⌋ = 3: cell (1, 1)
    map[27 * 28 + 27] = 1; // cell (7, 7)
    const f = pooledFeatures(map, [28, 28], [8, 8]);
    assert.equal(f[0], 0.5);
    assert.equal(f[1 * 8 + 1], -0.25);
    assert.equal(f[63], 0.25);
    assert.equal(f.reduce((s, v) => s + Math.abs(v), 0), 1);
    assert.deepEqual(Array.from(pooledFeatures(new Float32Array(16), [4, 4], [2, 2])), [0, 0, 0, 0]);
  });

  test('bad input is one line', () => {
    assert.throws(() => runSpray({ type: 'spray', features: new Float32Array(3), count: 1, dims: 3 }), /SpRAy needs at least 2 heatmaps/);
    assert.throws(() => runSpray({ type: 'spray', features: new Float32Array(5), count: 2, dims: 3 }), /2 × 3 features, 5 values/);
  });
});
