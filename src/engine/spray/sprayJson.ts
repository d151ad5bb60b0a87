// "Find strategies" as one JSON document: what `spray --json` prints and the dataset browser's Export JSON
// saves, the same fields in both.
import type { SprayAnalysis } from '../../protocol/concepts';

/** The analysis as JSON: typed arrays as plain arrays, each sample with its cluster and 2-D position. */
export function sprayJson(a: SprayAnalysis, datasetPath: string) {
  return {
    model: a.model,
    dataset: datasetPath,
    method: a.method,
    class: a.target,
    className: a.targetName,
    selectedBy: a.selectedBy,
    grid: a.grid,
    eigenvalues: a.eigenvalues,
    clusterCount: a.clusterCount,
    embeddingMethod: a.embeddingMethod,
    clusters: a.clusters.map((c) => ({ id: c.id, size: c.size, prototypes: c.prototypes, meanHeatmap: { shape: a.heatmapShape, values: Array.from(c.meanHeatmap) } })),
    samples: a.samples.map((sample, i) => ({ sample, cluster: a.labels[i], x: a.embedding[2 * i], y: a.embedding[2 * i + 1] })),
    ms: { heatmaps: Math.round(a.ms.heatmaps), analysis: Math.round(a.ms.analysis) },
  };
}
