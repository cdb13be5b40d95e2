import type { NumberArray } from "./family-renderer.js";
import type { Bounds } from "./view-transform.js";

/**
 * The box around points whose x and y are every `stride`-th entry of `xs` and `ys` from index 0
 * (separate arrays: stride 1; interleaved x0, y0, x1 …: the same array twice, `ys` shifted by one).
 * A unit box around the origin when there are no points.
 */
export function boundsOfPoints(xs: NumberArray, ys: NumberArray, stride = 1): Bounds {
  let xmin = Number.POSITIVE_INFINITY;
  let ymin = Number.POSITIVE_INFINITY;
  let xmax = Number.NEGATIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < xs.length && i < ys.length; i += stride) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (x < xmin) xmin = x;
    if (x > xmax) xmax = x;
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  return xmin > xmax ? [-1, -1, 1, 1] : [xmin, ymin, xmax, ymax];
}
