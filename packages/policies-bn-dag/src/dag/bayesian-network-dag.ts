/**
 * The DAG of a Bayesian-network joint policy π(a|s) = Π_i π_i(a_i | s, a_Pa(i)) (BN-DAG §3).
 * Adjacency convention of the original (`dchen48/BNPG`): G[j, i] = 1 ⇔ edge j → i, i.e. j is a
 * parent of i and acts before i.
 */

/** The fixed DAGs of the tabular experiments (`Tabular_Coordination_Game/run.py`). */
export const DAG_KINDS = ["fully", "line", "line-original", "none"] as const;
export type DagKind = (typeof DAG_KINDS)[number];

export class BayesianNetworkDag {
  /** Parents of each agent in ascending agent order (the original's parent-configuration order). */
  readonly parents: readonly Int32Array[];
  /** A topological order (Kahn, smallest ready agent first). */
  readonly order: Int32Array;

  private constructor(
    readonly numAgents: number,
    /** Row-major n × n, [j * n + i] = 1 ⇔ j → i. */
    readonly adjacency: Uint8Array,
  ) {
    this.parents = Array.from({ length: numAgents }, (_, child) => {
      const list: number[] = [];
      for (let parent = 0; parent < numAgents; parent++)
        if (adjacency[parent * numAgents + child] === 1) list.push(parent);
      return Int32Array.from(list);
    });
    const order = new Int32Array(numAgents);
    if (!topologicalOrderInto(adjacency, 0, numAgents, order)) {
      throw new RangeError(
        `BayesianNetworkDag: the adjacency has a cycle (${describeEdges(adjacency, numAgents)})`,
      );
    }
    this.order = order;
  }

  /**
   * One of the tabular experiments' DAGs: `fully` = every earlier agent is a parent (triu of ones),
   * `line` = the chain 0 → 1 → … → n−1, `line-original` = the original's `get_line`, whose loop
   * `for i in range(n - 2)` stops one edge short (edges j → j+1 for j ≤ n−3; for n = 2 it is empty),
   * `none` = independent agents.
   */
  static of(kind: DagKind, numAgents: number): BayesianNetworkDag {
    checkAgentCount(numAgents);
    const adjacency = new Uint8Array(numAgents * numAgents);
    const edge = (parent: number, child: number) => {
      adjacency[parent * numAgents + child] = 1;
    };
    if (kind === "fully") {
      for (let j = 0; j < numAgents; j++) for (let i = j + 1; i < numAgents; i++) edge(j, i);
    } else if (kind === "line") {
      for (let j = 0; j + 1 < numAgents; j++) edge(j, j + 1);
    } else if (kind === "line-original") {
      for (let j = 0; j + 2 < numAgents; j++) edge(j, j + 1);
    } else if (kind !== "none") {
      throw new RangeError(
        `BayesianNetworkDag.of: kind = ${JSON.stringify(kind)}; expected one of ${DAG_KINDS.join(", ")}`,
      );
    }
    return new BayesianNetworkDag(numAgents, adjacency);
  }

  /** From a 0/1 matrix (rows = parents, columns = children); refuses self-loops and cycles. */
  static fromAdjacency(matrix: readonly (readonly number[])[]): BayesianNetworkDag {
    const n = matrix.length;
    checkAgentCount(n);
    const adjacency = new Uint8Array(n * n);
    matrix.forEach((row, parent) => {
      if (row.length !== n)
        throw new RangeError(
          `BayesianNetworkDag: adjacency row ${parent} has ${row.length} entries; expected ${n}`,
        );
      row.forEach((value, child) => {
        if (value !== 0 && value !== 1)
          throw new RangeError(
            `BayesianNetworkDag: adjacency[${parent}][${child}] = ${value}; expected 0 or 1`,
          );
        if (value === 1 && parent === child)
          throw new RangeError(`BayesianNetworkDag: adjacency[${parent}][${child}] = 1 is a self-loop`);
        adjacency[parent * n + child] = value;
      });
    });
    return new BayesianNetworkDag(n, adjacency);
  }

  /** From each agent's parent list; refuses out-of-range parents, self-parents and cycles. */
  static fromParents(parents: readonly (readonly number[])[]): BayesianNetworkDag {
    const n = parents.length;
    checkAgentCount(n);
    const adjacency = new Uint8Array(n * n);
    parents.forEach((list, child) => {
      for (const parent of list) {
        if (!Number.isInteger(parent) || parent < 0 || parent >= n)
          throw new RangeError(
            `BayesianNetworkDag: parents[${child}] contains ${parent}; expected an agent index in 0..${n - 1}`,
          );
        if (parent === child)
          throw new RangeError(`BayesianNetworkDag: parents[${child}] contains the agent itself`);
        adjacency[parent * n + child] = 1;
      }
    });
    return new BayesianNetworkDag(n, adjacency);
  }
}

/**
 * Kahn's algorithm on one n × n block of a 0/1 (or 0.0/1.0) adjacency starting at `offset`,
 * smallest ready agent first; writes the order into `out` and returns false when there is a cycle.
 * Allocation-free apart from a small scratch array, so BN-MAPPO can call it per sample.
 */
export function topologicalOrderInto(
  adjacency: ArrayLike<number>,
  offset: number,
  n: number,
  out: Int32Array,
  inDegree: Int32Array = new Int32Array(n),
): boolean {
  inDegree.fill(0, 0, n);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) if (adjacency[offset + j * n + i] > 0.5) inDegree[i]++;
  let placed = 0;
  while (placed < n) {
    let next = -1;
    for (let i = 0; i < n; i++) {
      if (inDegree[i] === 0) {
        next = i;
        break;
      }
    }
    if (next < 0) return false;
    out[placed++] = next;
    inDegree[next] = -1;
    for (let i = 0; i < n; i++) if (adjacency[offset + next * n + i] > 0.5) inDegree[i]--;
  }
  return true;
}

function checkAgentCount(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`BayesianNetworkDag: numAgents = ${n}; expected an integer >= 1`);
}

function describeEdges(adjacency: Uint8Array, n: number): string {
  const edges: string[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if (adjacency[j * n + i]) edges.push(`${j}→${i}`);
  return `edges ${edges.join(", ")}`;
}
