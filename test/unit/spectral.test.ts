import { describe, expect, it } from 'vitest';
import { gramUpper, multiplyShifted, solveRowsAgainstUpper } from '../../shared/algorithms/spectral';
import { gaussian, seededRandom } from '../../shared/algorithms/random';

// Odd sizes leave a remainder in every blocked loop. Each kernel must give the plain loop's value
// bit for bit: the clustering space, and so every layer, depends on it.
const random = seededRandom(8);
const n = 7;
const m = 6;
const block = () => Float64Array.from({ length: n * m }, () => gaussian(random));

describe('spectral kernels', () => {
  it('gramUpper sums each entry over the rows in order', () => {
    const x = block();
    const gram = gramUpper(x, n, m);
    for (let a = 0; a < m; a++) {
      for (let b = a; b < m; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i * m + a] * x[i * m + b];
        expect(gram[a * m + b]).toBe(s);
      }
    }
  });

  it('solveRowsAgainstUpper is row-by-row forward substitution', () => {
    const x = block();
    const r = new Float64Array(m * m);
    for (let a = 0; a < m; a++) for (let b = a; b < m; b++) r[a * m + b] = a === b ? 1 + random() : gaussian(random);
    const expected = x.slice();
    for (let i = 0; i < n; i++) {
      const row = new Float64Array(m);
      for (let b = 0; b < m; b++) {
        let value = expected[i * m + b];
        for (let k = 0; k < b; k++) value -= row[k] * r[k * m + b];
        row[b] = value / r[b * m + b];
      }
      expected.set(row, i * m);
    }
    solveRowsAgainstUpper(x, n, m, r);
    expect(Array.from(x)).toEqual(Array.from(expected));
  });

  it('multiplyShifted adds the entries of each row in their order', () => {
    const rowStart = Int32Array.from([0, 2, 2, 5, 6, 8, 9, 11]);
    const columns = Int32Array.from([1, 4, 0, 3, 6, 2, 0, 5, 1, 2, 3]);
    const weights = Float64Array.from(columns, () => random());
    const x = block();
    const y = new Float64Array(n * m);
    multiplyShifted(rowStart, columns, weights, x, m, y);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < m; c++) {
        let s = 0.5 * x[i * m + c];
        for (let p = rowStart[i]; p < rowStart[i + 1]; p++) s += weights[p] * x[columns[p] * m + c];
        expect(y[i * m + c]).toBe(s);
      }
    }
  });
});
