import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PathCommand } from 'opentype.js';
import { fillPolygons, flattenPath, type Vertex } from '../../../src/engine/figure/rasterize';

function coverageAt(mask: NonNullable<ReturnType<typeof fillPolygons>>, x: number, y: number): number {
  const [mx, my] = [x - mask.x, y - mask.y];
  if (mx < 0 || my < 0 || mx >= mask.width || my >= mask.height) return 0;
  return mask.coverage[my * mask.width + mx];
}

function total(mask: NonNullable<ReturnType<typeof fillPolygons>>): number {
  return mask.coverage.reduce((a, b) => a + b, 0);
}

test('a rectangle with fractional sides: exact partial coverage at its left and right edges', () => {
  const mask = fillPolygons([[[1.25, 1], [3.75, 1], [3.75, 3], [1.25, 3]]])!;
  for (const y of [1, 2]) {
    assert.ok(Math.abs(coverageAt(mask, 1, y) - 0.75) < 1e-6);
    assert.ok(Math.abs(coverageAt(mask, 2, y) - 1) < 1e-6);
    assert.ok(Math.abs(coverageAt(mask, 3, y) - 0.75) < 1e-6);
  }
  assert.equal(coverageAt(mask, 0, 1), 0);
  assert.equal(coverageAt(mask, 2, 3), 0);
  assert.ok(Math.abs(total(mask) - 5) < 1e-5, 'coverage sums to the area 2.5 × 2');
});

test('coverage sums to the area of a triangle (anti-aliased edges included)', () => {
  const mask = fillPolygons([[[0.3, 0.2], [17.8, 4.1], [6.5, 12.9]]])!;
  const area = Math.abs((17.8 - 0.3) * (12.9 - 0.2) - (6.5 - 0.3) * (4.1 - 0.2)) / 2;
  // 16 sub-scanlines sample each row; the error per row is at most the row's edge slope effect.
  assert.ok(Math.abs(total(mask) - area) / area < 0.005, `${total(mask)} vs ${area}`);
});

test('non-zero winding: overlapping shapes are a union, a reversed inner contour is a hole', () => {
  const square = (x: number, y: number, s: number, reverse = false): Vertex[] => {
    const p: Vertex[] = [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];
    return reverse ? p.reverse() : p;
  };
  const union = fillPolygons([square(0, 0, 4), square(2, 2, 4)])!;
  assert.ok(Math.abs(total(union) - (16 + 16 - 4)) < 1e-4);
  assert.ok(union.coverage.every((c) => c <= 1));
  const ring = fillPolygons([square(0, 0, 6), square(2, 2, 2, true)])!;
  assert.equal(coverageAt(ring, 2, 2), 0);
  assert.equal(coverageAt(ring, 3, 3), 0);
  assert.ok(Math.abs(total(ring) - 32) < 1e-4);
});

test('curves are flattened within 0.05 px: a circle of four cubic arcs has area π r²', () => {
  const r = 10;
  const k = 0.5522847498 * r; // the standard cubic approximation of a quarter circle
  const [cx, cy] = [12, 12];
  const commands: PathCommand[] = [
    { type: 'M', x: cx + r, y: cy },
    { type: 'C', x1: cx + r, y1: cy + k, x2: cx + k, y2: cy + r, x: cx, y: cy + r },
    { type: 'C', x1: cx - k, y1: cy + r, x2: cx - r, y2: cy + k, x: cx - r, y: cy },
    { type: 'C', x1: cx - r, y1: cy - k, x2: cx - k, y2: cy - r, x: cx, y: cy - r },
    { type: 'C', x1: cx + k, y1: cy - r, x2: cx + r, y2: cy - k, x: cx + r, y: cy },
    { type: 'Z' },
  ];
  const polygons = flattenPath(commands);
  assert.equal(polygons.length, 1);
  assert.ok(polygons[0].length > 16, 'curves became many segments');
  const area = total(fillPolygons(polygons)!);
  // Flattening keeps within 0.05 px of the curve, so at most perimeter × 0.05 of area is lost.
  assert.ok(Math.abs(area - Math.PI * r * r) < 2 * Math.PI * r * 0.05, `${area}`);
  // A quadratic too: a parabolic segment closed by its chord has 2/3 of base × height (10 × 5).
  const quad = total(fillPolygons(flattenPath([{ type: 'M', x: 0, y: 0 }, { type: 'Q', x1: 5, y1: 10, x: 10, y: 0 }, { type: 'Z' }]))!);
  assert.ok(Math.abs(quad - (2 / 3) * 10 * 5) < 15 * 0.05, `${quad}`); // the arc is about 15 px long
});
