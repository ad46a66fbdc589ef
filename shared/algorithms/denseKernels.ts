/** Inner loops of the dense linear algebra (lsa.ts, spectral.ts), written once. */

/**
 * out[target + c] += v · from[source + c] for c < count, unrolled by four (V8 does not unroll); the
 * entries are independent, so every sum is the plain loop's.
 */
export function addScaled(out: Float64Array, target: number, from: Float64Array, source: number, v: number, count: number): void {
  let c = 0;
  for (; c + 3 < count; c += 4) {
    out[target + c] += v * from[source + c];
    out[target + c + 1] += v * from[source + c + 1];
    out[target + c + 2] += v * from[source + c + 2];
    out[target + c + 3] += v * from[source + c + 3];
  }
  for (; c < count; c++) out[target + c] += v * from[source + c];
}
