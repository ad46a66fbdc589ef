/**
 * Ward's agglomeration constrained to a neighbour graph, and the cuts of its merge tree. Pure and
 * deterministic: ties go to the lowest node ids.
 */
/** Merge t joins nodes a and b into node n + t (scipy's layout); leaves are 0 … n − 1. */
export interface WardTree {
  n: number;
  a: Int32Array;
  b: Int32Array;
  cost: Float64Array;
}

/**
 * Ward's method (merge cost |A||B| / (|A| + |B|) · ‖c_A − c_B‖², exact centroids) over `points`,
 * merging only clusters joined by an edge of `neighbors` while any such pair is left, then the
 * remaining parts by plain Ward. A heap of candidate pairs with lazy deletion: O(E log E) for E
 * edges of the growing cluster graph, plus O(P³) for P parts left apart by the graph (usually 1).
 * Ties go to the lowest pair of node ids, so the tree is a function of the input alone.
 */
export function connectedWard(
  points: ArrayLike<number>[],
  neighbors: ArrayLike<ArrayLike<number>>,
  options: { sizes?: ArrayLike<number> } = {},
): WardTree {
  const n = points.length;
  const dim = n > 0 ? points[0].length : 0;
  const nodes = Math.max(0, 2 * n - 1);
  const centroid = new Float64Array(nodes * dim);
  const size = new Float64Array(nodes);
  const alive = new Uint8Array(nodes);
  const adjacent: Array<Set<number>> = Array.from({ length: nodes }, () => new Set<number>());
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) centroid[i * dim + d] = points[i][d];
    size[i] = options.sizes ? options.sizes[i] : 1;
    alive[i] = 1;
    for (const j of Array.from(neighbors[i])) {
      if (j === i) continue;
      adjacent[i].add(j);
      adjacent[j].add(i);
    }
  }
  const cost = (x: number, y: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const diff = centroid[x * dim + d] - centroid[y * dim + d];
      s += diff * diff;
    }
    return ((size[x] * size[y]) / (size[x] + size[y])) * s;
  };
  const tree: WardTree = { n, a: new Int32Array(Math.max(0, n - 1)), b: new Int32Array(Math.max(0, n - 1)), cost: new Float64Array(Math.max(0, n - 1)) };
  let next = n;
  const merge = (x: number, y: number, w: number) => {
    const node = next++;
    const t = node - n;
    tree.a[t] = Math.min(x, y);
    tree.b[t] = Math.max(x, y);
    tree.cost[t] = w;
    size[node] = size[x] + size[y];
    for (let d = 0; d < dim; d++) centroid[node * dim + d] = (centroid[x * dim + d] * size[x] + centroid[y * dim + d] * size[y]) / size[node];
    alive[x] = 0;
    alive[y] = 0;
    alive[node] = 1;
    return node;
  };

  const heap = new PairHeap();
  for (let i = 0; i < n; i++) for (const j of adjacent[i]) if (i < j) heap.push(cost(i, j), i, j);
  while (heap.size > 0) {
    const [w, x, y] = heap.pop();
    if (!alive[x] || !alive[y]) continue;
    const node = merge(x, y, w);
    for (const side of [x, y]) {
      for (const z of adjacent[side]) {
        if (!alive[z] || adjacent[node].has(z)) continue;
        adjacent[node].add(z);
        adjacent[z].add(node);
        heap.push(cost(node, z), Math.min(node, z), Math.max(node, z));
      }
    }
    adjacent[x].clear();
    adjacent[y].clear();
  }
  let parts: number[] = [];
  for (let node = 0; node < next; node++) if (alive[node]) parts.push(node);
  while (parts.length > 1) {
    let best = Infinity;
    let bx = 0;
    let by = 1;
    for (let p = 0; p < parts.length; p++) {
      for (let q = p + 1; q < parts.length; q++) {
        const w = cost(parts[p], parts[q]);
        if (w < best) {
          best = w;
          bx = p;
          by = q;
        }
      }
    }
    const node = merge(parts[bx], parts[by], best);
    parts = parts.filter((_, p) => p !== bx && p !== by);
    parts.push(node);
  }
  return tree;
}

/** A binary min-heap of (cost, a, b) with ties broken by (a, b). */
class PairHeap {
  private readonly costs: number[] = [];
  private readonly as: number[] = [];
  private readonly bs: number[] = [];

  get size(): number {
    return this.costs.length;
  }

  push(cost: number, a: number, b: number): void {
    this.costs.push(cost);
    this.as.push(a);
    this.bs.push(b);
    let i = this.costs.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number, number] {
    const top: [number, number, number] = [this.costs[0], this.as[0], this.bs[0]];
    const lastCost = this.costs.pop() as number;
    const lastA = this.as.pop() as number;
    const lastB = this.bs.pop() as number;
    if (this.costs.length > 0) {
      this.costs[0] = lastCost;
      this.as[0] = lastA;
      this.bs[0] = lastB;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < this.costs.length && this.less(left, smallest)) smallest = left;
        if (right < this.costs.length && this.less(right, smallest)) smallest = right;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }

  private less(i: number, j: number): boolean {
    return this.costs[i] < this.costs[j] || (this.costs[i] === this.costs[j] && (this.as[i] < this.as[j] || (this.as[i] === this.as[j] && this.bs[i] < this.bs[j])));
  }

  private swap(i: number, j: number): void {
    const { costs, as, bs } = this;
    const cost = costs[i];
    costs[i] = costs[j];
    costs[j] = cost;
    const a = as[i];
    as[i] = as[j];
    as[j] = a;
    const b = bs[i];
    bs[i] = bs[j];
    bs[j] = b;
  }
}

/**
 * The number of merges after which the tree has the fewest parts while still holding `target` parts
 * of at least `minSize` comments; when it never holds that many, the fewest parts with the most.
 */
export function cutFor(tree: WardTree, target: number, minSize: number): number {
  const { n } = tree;
  const size = new Int32Array(2 * n).fill(1, 0, n);
  let large = 0;
  let bestMerges = 0;
  let bestLarge = 0;
  for (let t = 0; t < n - 1; t++) {
    const x = tree.a[t];
    const y = tree.b[t];
    const merged = size[x] + size[y];
    size[n + t] = merged;
    large += (merged >= minSize ? 1 : 0) - (size[x] >= minSize ? 1 : 0) - (size[y] >= minSize ? 1 : 0);
    const reached = Math.min(large, target);
    if (reached >= bestLarge) {
      bestLarge = reached;
      bestMerges = t + 1;
    }
  }
  return bestMerges;
}

/** Part of each leaf after the first `merges` merges (the part's top node id). */
export function partsAfter(tree: WardTree, merges: number): Int32Array {
  const { n } = tree;
  const top = new Int32Array(2 * n).map((_, i) => i);
  for (let t = merges - 1; t >= 0; t--) {
    // Walking down from the latest merge: a merged node's leaves inherit its top.
    top[tree.a[t]] = top[n + t];
    top[tree.b[t]] = top[n + t];
  }
  return top.subarray(0, n);
}
