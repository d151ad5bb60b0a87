// A small anti-aliased polygon filler for glyph outlines. Curves are flattened into line segments; each
// pixel row is sampled on 16 sub-scanlines, and along each sub-scanline the covered spans (non-zero
// winding, the TrueType fill rule) add their exact horizontal overlap to each pixel. The result is a
// coverage mask in 0..1 that the caller blends in any colour.
import type { PathCommand } from 'opentype.js';

/** A polygon vertex, [x, y] in pixels. */
export type Vertex = [number, number];

export interface CoverageMask {
  /** Top-left corner of the mask in the target image. */
  x: number;
  y: number;
  width: number;
  height: number;
  coverage: Float32Array;
}

const SUBSCANLINES = 16;
/** Largest distance (px) between a curve and its flattened polyline. */
const FLATNESS = 0.05;

/** Closed polygons from path commands, each point passed through `transform` (for placement, rotation). */
export function flattenPath(commands: PathCommand[], transform: (p: Vertex) => Vertex = (p) => p): Vertex[][] {
  const polygons: Vertex[][] = [];
  let current: Vertex[] = [];
  let pen: Vertex = [0, 0];
  const close = () => {
    if (current.length > 2) polygons.push(current.map(transform));
    current = [];
  };
  for (const c of commands) {
    switch (c.type) {
      case 'M':
        close();
        pen = [c.x, c.y];
        current.push(pen);
        break;
      case 'L':
        pen = [c.x, c.y];
        current.push(pen);
        break;
      case 'Q': {
        // Deviation of a quadratic from its chord is |p0 − 2p1 + p2| / 4; n segments divide it by n².
        const [x0, y0] = pen;
        const n = segmentsFor(Math.hypot(x0 - 2 * c.x1 + c.x, y0 - 2 * c.y1 + c.y) / 4);
        for (let k = 1; k <= n; k++) {
          const t = k / n;
          const u = 1 - t;
          current.push([u * u * x0 + 2 * u * t * c.x1 + t * t * c.x, u * u * y0 + 2 * u * t * c.y1 + t * t * c.y]);
        }
        pen = [c.x, c.y];
        break;
      }
      case 'C': {
        const [x0, y0] = pen;
        const d = Math.max(Math.hypot(x0 - 2 * c.x1 + c.x2, y0 - 2 * c.y1 + c.y2), Math.hypot(c.x1 - 2 * c.x2 + c.x, c.y1 - 2 * c.y2 + c.y));
        const n = segmentsFor((3 * d) / 4);
        for (let k = 1; k <= n; k++) {
          const t = k / n;
          const u = 1 - t;
          current.push([
            u * u * u * x0 + 3 * u * u * t * c.x1 + 3 * u * t * t * c.x2 + t * t * t * c.x,
            u * u * u * y0 + 3 * u * u * t * c.y1 + 3 * u * t * t * c.y2 + t * t * t * c.y,
          ]);
        }
        pen = [c.x, c.y];
        break;
      }
      case 'Z':
        close();
        break;
    }
  }
  close();
  return polygons;
}

function segmentsFor(deviation: number): number {
  return Math.min(64, Math.max(1, Math.ceil(Math.sqrt(deviation / FLATNESS))));
}

interface Edge {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** +1 if the original segment runs downwards, −1 upwards. */
  dir: number;
}

/** Coverage of the union of `polygons` under the non-zero rule, or null if they cover nothing. */
export function fillPolygons(polygons: Vertex[][]): CoverageMask | null {
  const edges: Edge[] = [];
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of polygons) {
    for (let i = 0; i < poly.length; i++) {
      const [ax, ay] = poly[i];
      const [bx, by] = poly[(i + 1) % poly.length];
      minX = Math.min(minX, ax);
      maxX = Math.max(maxX, ax);
      minY = Math.min(minY, ay);
      maxY = Math.max(maxY, ay);
      if (ay === by) continue; // horizontal edges never cross a scanline
      edges.push(ay < by ? { x0: ax, y0: ay, x1: bx, y1: by, dir: 1 } : { x0: bx, y0: by, x1: ax, y1: ay, dir: -1 });
    }
  }
  if (edges.length === 0) return null;
  const x = Math.floor(minX);
  const y = Math.floor(minY);
  const width = Math.ceil(maxX) - x + 1;
  const height = Math.ceil(maxY) - y + 1;
  const coverage = new Float32Array(width * height);

  // Edges by the pixel rows they touch, so each sub-scanline only looks at nearby edges.
  const byRow: Edge[][] = Array.from({ length: height }, () => []);
  for (const e of edges) {
    for (let r = Math.floor(e.y0) - y; r <= Math.min(height - 1, Math.floor(e.y1) - y); r++) byRow[r].push(e);
  }

  const crossings: Array<{ x: number; dir: number }> = [];
  for (let row = 0; row < height; row++) {
    const line = coverage.subarray(row * width, (row + 1) * width);
    for (let s = 0; s < SUBSCANLINES; s++) {
      const sy = y + row + (s + 0.5) / SUBSCANLINES;
      crossings.length = 0;
      for (const e of byRow[row]) {
        if (sy >= e.y0 && sy < e.y1) crossings.push({ x: e.x0 + ((sy - e.y0) * (e.x1 - e.x0)) / (e.y1 - e.y0) - x, dir: e.dir });
      }
      crossings.sort((a, b) => a.x - b.x);
      let winding = 0;
      let spanStart = 0;
      for (const c of crossings) {
        const before = winding;
        winding += c.dir;
        if (before === 0 && winding !== 0) spanStart = c.x;
        else if (before !== 0 && winding === 0) addSpan(line, spanStart, c.x, 1 / SUBSCANLINES);
      }
    }
  }
  for (let i = 0; i < coverage.length; i++) coverage[i] = Math.min(1, coverage[i]);
  return { x, y, width, height, coverage };
}

/** Adds `weight` × the overlap of [a, b) with each pixel [i, i + 1) of the line. */
function addSpan(line: Float32Array, a: number, b: number, weight: number): void {
  a = Math.max(0, a);
  b = Math.min(line.length, b);
  if (b <= a) return;
  const ia = Math.floor(a);
  const ib = Math.floor(b);
  if (ia === ib) {
    line[ia] += (b - a) * weight;
    return;
  }
  line[ia] += (ia + 1 - a) * weight;
  for (let i = ia + 1; i < ib; i++) line[i] += weight;
  if (ib < line.length) line[ib] += (b - ib) * weight;
}
