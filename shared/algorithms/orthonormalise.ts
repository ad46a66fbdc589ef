/**
 * Modified Gram–Schmidt on the c rows of a row-major c × dim block (c ≤ dim); a vanished row is
 * replaced by a unit axis not yet used.
 */
export function orthonormaliseRows(rows: Float64Array, c: number, dim: number): void {
  for (let k = 0; k < c; k++) {
    for (let attempt = 0; attempt <= dim; attempt++) {
      for (let p = 0; p < k; p++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += rows[k * dim + d] * rows[p * dim + d];
        for (let d = 0; d < dim; d++) rows[k * dim + d] -= dot * rows[p * dim + d];
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += rows[k * dim + d] ** 2;
      norm = Math.sqrt(norm);
      if (norm > 1e-12) {
        for (let d = 0; d < dim; d++) rows[k * dim + d] /= norm;
        break;
      }
      for (let d = 0; d < dim; d++) rows[k * dim + d] = d === (k + attempt) % dim ? 1 : 0;
    }
  }
}

