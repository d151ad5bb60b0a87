// The part of ml-kmeans 7 that clustering.ts uses. The package is ESM-only with an `exports` map, which this
// project's `moduleResolution: node` cannot follow for its types (esbuild and tsx load it fine).
declare module 'ml-kmeans' {
  export interface KMeansOptions {
    initialization?: 'kmeans++' | 'random' | 'mostDistant' | number[][];
    seed?: number;
    maxIterations?: number;
    tolerance?: number;
  }
  export interface KMeansResult {
    clusters: number[];
    centroids: number[][];
    converged: boolean;
    iterations: number;
  }
  export function kmeans(data: number[][], K: number, options: KMeansOptions): KMeansResult;
}
