/**
 * From linked pairs to entities. Deduplication groups records into clusters: the connected
 * components of the auto-link pairs (union–find). Linking two files can instead ask for a
 * one-to-one assignment: best weight first, each record used once.
 */

/** Union–find over n nodes, with path halving and union by size. */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const parent = this.parent;
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
  }
}

/** Cluster number of every record: left records first, then right ones (linking two files). */
export interface Clusters {
  /** Cluster of each left record. */
  left: Int32Array;
  /** Cluster of each right record (the same array as left in deduplication). */
  right: Int32Array;
  /** Clusters in all, singletons included. */
  count: number;
  /** Clusters with more than one record. */
  multiRecord: number;
}

/**
 * Connected components of the given pairs. Clusters are numbered 0, 1, … in order of their first
 * record, so the numbering is stable for the same input.
 */
export function clusterPairs(
  pairLeft: ArrayLike<number>,
  pairRight: ArrayLike<number>,
  include: (pair: number) => boolean,
  sizes: { left: number; right: number; dedupe: boolean },
): Clusters {
  const offset = sizes.dedupe ? 0 : sizes.left;
  const n = sizes.dedupe ? sizes.left : sizes.left + sizes.right;
  const sets = new UnionFind(n);
  for (let p = 0; p < pairLeft.length; p++) {
    if (include(p)) sets.union(pairLeft[p]!, pairRight[p]! + offset);
  }
  const numberOf = new Int32Array(n).fill(-1);
  const members = new Int32Array(n);
  const cluster = new Int32Array(n);
  let count = 0;
  for (let x = 0; x < n; x++) {
    const root = sets.find(x);
    if (numberOf[root]! < 0) numberOf[root] = count++;
    cluster[x] = numberOf[root]!;
    members[cluster[x]!]!++;
  }
  let multiRecord = 0;
  for (let c = 0; c < count; c++) if (members[c]! > 1) multiRecord++;
  const left = sizes.dedupe ? cluster : cluster.subarray(0, sizes.left);
  const right = sizes.dedupe ? cluster : cluster.subarray(sizes.left);
  return { left, right, count, multiRecord };
}

/**
 * One-to-one assignment, greedy by weight: pairs are taken best first, and a pair whose left or
 * right record is already taken is superseded. Returns 1 for each superseded pair among those
 * eligible. (Greedy is what a reviewer would do by hand; an optimal assignment differs only
 * where two candidates are near-equal, which the review band catches anyway.)
 */
export function assignOneToOne(
  pairLeft: ArrayLike<number>,
  pairRight: ArrayLike<number>,
  weight: ArrayLike<number>,
  eligible: (pair: number) => boolean,
  sizes: { left: number; right: number },
): Uint8Array {
  const order: number[] = [];
  for (let p = 0; p < pairLeft.length; p++) if (eligible(p)) order.push(p);
  // Ties go to the earlier pair, so the result does not depend on the sort's stability.
  order.sort((a, b) => weight[b]! - weight[a]! || a - b);
  const leftTaken = new Uint8Array(sizes.left);
  const rightTaken = new Uint8Array(sizes.right);
  const superseded = new Uint8Array(pairLeft.length);
  for (const p of order) {
    const i = pairLeft[p]!;
    const j = pairRight[p]!;
    if (leftTaken[i] || rightTaken[j]) {
      superseded[p] = 1;
      continue;
    }
    leftTaken[i] = 1;
    rightTaken[j] = 1;
  }
  return superseded;
}
