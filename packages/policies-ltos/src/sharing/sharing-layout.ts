/**
 * Who shares reward with whom, as fixed-width slot tables over a batch of graphs, built once per
 * graph (a static graph builds it once per run; a dynamic one, e.g. jungle's nearest neighbours,
 * once per stored transition).
 *
 * - **Out slots** (what agent i gives, the high-level policy's output w_i·): slot 0 is i itself,
 *   slots 1…deg(i) are i's neighbours in the graph's row order — the order of the high-level
 *   network's input — then padding. `outWidth = 1 + maxNeighbors`.
 * - **In slots** (what agent j receives, w_in_j, an input of j's low-level Q): slot 0 is j itself,
 *   then every sender i (j in i's out slots) in ascending agent id, then padding (zero weight).
 *   `inWidth = 1 + maxNeighbors` too: on an undirected graph the in-degree equals the out-degree;
 *   on a directed one (jungle's k nearest) an agent may be named by more senders than that, which
 *   is refused naming `maxNeighbors`.
 *
 * The original code (`Swarm_CoLight_agent.py::w_out_to_w_in`, lines 186–224) sorts both lists by
 * agent id with the self slot wherever its id falls; here self is slot 0 on both sides so that it
 * lines up with DGN's "self first" neighbourhood. The two orders differ by a fixed permutation per
 * agent, which changes nothing learned.
 *
 * All indices are flat: out slot (b, i, s) is `(b·N + i)·outWidth + s`, in slot (b, j, t) is
 * `(b·N + j)·inWidth + t`.
 */
export class SharingLayout {
  readonly numAgents: number;
  readonly maxNeighbors: number;
  readonly outWidth: number;
  readonly inWidth: number;
  /** Graphs the layout has room for. */
  readonly capacity: number;
  /** Graphs currently built. */
  graphs = 0;
  /** Agent (within its graph) that out slot receives, −1 = padding. */
  readonly outAgents: Int32Array;
  /** Flat out slot feeding each in slot (the sender's w_ij), −1 = padding. */
  readonly inSources: Int32Array;
  /** Sending agent (within its graph) of each in slot, −1 = padding. */
  readonly inAgents: Int32Array;
  /**
   * Constant added to the high-level logits: the selfishness initialiser on slot 0, 0 on real
   * neighbours, −1e9 on padding (exp underflows to exactly 0, so every row sums to 1).
   */
  readonly logitOffsets: Float32Array;
  /** 1 on real out slots, 0 on padding. */
  readonly outMask: Float32Array;
  private readonly selfLogit: (realSlots: number) => number;
  private readonly inCounts: Int32Array;

  /**
   * @param selfishness the self share w_ii at zero network output, in (0, 1]; 1 masks the
   *   neighbour slots (nothing is ever shared, and nothing can be learned)
   */
  constructor(numAgents: number, maxNeighbors: number, capacity: number, selfishness: number) {
    if (!(selfishness > 0 && selfishness <= 1)) {
      throw new RangeError(`ltos: selfishness = ${selfishness}; expected a number in (0, 1]`);
    }
    this.numAgents = numAgents;
    this.maxNeighbors = maxNeighbors;
    this.outWidth = maxNeighbors + 1;
    this.inWidth = maxNeighbors + 1;
    this.capacity = capacity;
    const outSize = capacity * numAgents * this.outWidth;
    const inSize = capacity * numAgents * this.inWidth;
    this.outAgents = new Int32Array(outSize);
    this.logitOffsets = new Float32Array(outSize);
    this.outMask = new Float32Array(outSize);
    this.inSources = new Int32Array(inSize);
    this.inAgents = new Int32Array(inSize);
    this.inCounts = new Int32Array(numAgents);
    this.selfLogit = (realSlots) => selfishLogit(selfishness, realSlots);
  }

  /**
   * Builds the tables from padded neighbour rows (`graphs × N × maxNeighbors`, self excluded, −1
   * padding: `NeighbourRows.writeRows`' layout).
   */
  build(rows: Int32Array, graphs: number): this {
    const { numAgents: n, maxNeighbors: m, outWidth: k, inWidth: kin } = this;
    if (graphs > this.capacity)
      throw new RangeError(`SharingLayout: ${graphs} graphs; room for ${this.capacity}`);
    this.graphs = graphs;
    for (let b = 0; b < graphs; b++) {
      for (let i = 0; i < n; i++) {
        const node = b * n + i;
        const base = node * k;
        this.outAgents.fill(-1, base, base + k);
        this.outAgents[base] = i;
        let real = 1;
        for (let s = 0; s < m; s++) {
          const j = rows[node * m + s];
          if (j >= 0 && j !== i) this.outAgents[base + real++] = j;
        }
        const selfLogit = this.selfLogit(real);
        for (let s = 0; s < k; s++) {
          const isReal = s < real && (s === 0 || Number.isFinite(selfLogit));
          this.outMask[base + s] = isReal ? 1 : 0;
          this.logitOffsets[base + s] = !isReal
            ? -1e9
            : s === 0 && Number.isFinite(selfLogit)
              ? selfLogit
              : 0;
        }
      }
      // In slots: self first, then the senders in ascending id (the loop over i ascends).
      this.inCounts.fill(1);
      for (let j = 0; j < n; j++) {
        const base = (b * n + j) * kin;
        this.inSources.fill(-1, base, base + kin);
        this.inAgents.fill(-1, base, base + kin);
        this.inSources[base] = (b * n + j) * k;
        this.inAgents[base] = j;
      }
      for (let i = 0; i < n; i++) {
        for (let s = 1; s < k; s++) {
          const slot = (b * n + i) * k + s;
          const j = this.outAgents[slot];
          if (j < 0 || this.outMask[slot] === 0) continue;
          if (this.inCounts[j] === kin) {
            throw new RangeError(
              `ltos: agent ${j} receives from more than maxNeighbors = ${m} other agents; raise maxNeighbors in the ltos config`,
            );
          }
          const t = (b * n + j) * kin + this.inCounts[j]++;
          this.inSources[t] = slot;
          this.inAgents[t] = i;
        }
      }
    }
    return this;
  }

  /** w_in from w_out by the static gather: w_in[j, t] = w_out[sender slot of (j, t)], 0 on padding. */
  reindexOutToIn(wOut: Float32Array, wIn: Float32Array): Float32Array {
    const size = this.graphs * this.numAgents * this.inWidth;
    for (let t = 0; t < size; t++) {
      const source = this.inSources[t];
      wIn[t] = source >= 0 ? wOut[source] : 0;
    }
    return wIn;
  }

  /**
   * Gradient exchange (Algorithm 1, lines 19–20): every receiver j sends back, along each edge
   * i → j that carried w_ij, the scalar g_ij = ∂V/∂w_in_j[slot of i]; agent i collects what its
   * out-neighbours send into its own out slots. Padding slots get 0 (the original's `v_grad_mask`).
   * Each message reads only the receiver's row and writes only the sender's row, so the loop can
   * be split one agent per worker.
   */
  sendGradients(gradientsIn: Float32Array, gradientsOut: Float32Array): Float32Array {
    gradientsOut.fill(0, 0, this.graphs * this.numAgents * this.outWidth);
    const size = this.graphs * this.numAgents * this.inWidth;
    for (let t = 0; t < size; t++) {
      const senderSlot = this.inSources[t];
      if (senderSlot >= 0) gradientsOut[senderSlot] = gradientsIn[t]; // message j → i
    }
    return gradientsOut;
  }

  /**
   * Shaped rewards r̂_j = Σ_t w_in_j[t] · r_{sender(t)} (Algorithm 1, line 9) into `out`; with rows of
   * w_out summing to 1, Σ_j r̂_j = Σ_i r_i: reward is redistributed, not created.
   * `rewards` and `out` are [graphs × N].
   */
  shapeRewards(rewards: Float32Array, wIn: Float32Array, out: Float32Array): Float32Array {
    const { numAgents: n, inWidth: kin } = this;
    for (let b = 0; b < this.graphs; b++) {
      for (let j = 0; j < n; j++) {
        let total = 0;
        for (let t = 0; t < kin; t++) {
          const sender = this.inAgents[(b * n + j) * kin + t];
          if (sender >= 0) total += wIn[(b * n + j) * kin + t] * rewards[b * n + sender];
        }
        out[b * n + j] = total;
      }
    }
    return out;
  }
}

/**
 * The selfishness initialiser's logit on the self slot: with 0 on the other k − 1 real slots,
 * softmax gives the self slot exactly `selfishness` and (1 − selfishness)/(k − 1) to each
 * neighbour: log(σ/(1 − σ)·(k − 1)) (`Swarm_CoLight_agent.py` line 70). k = 1 (an isolated agent)
 * gives 0 (w = [1]); σ = 1 gives +∞, which the layout turns into masked neighbour slots.
 */
export function selfishLogit(selfishness: number, realSlots: number): number {
  if (realSlots <= 1) return 0;
  if (selfishness >= 1) return Number.POSITIVE_INFINITY;
  return Math.log((selfishness / (1 - selfishness)) * (realSlots - 1));
}

/** Row-wise softmax of `logits` (rows × width) into `out`, in Float64 then rounded. */
export function softmaxRowsInto(
  logits: Float32Array,
  rows: number,
  width: number,
  out: Float32Array,
): Float32Array {
  for (let r = 0; r < rows; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < width; s++) max = Math.max(max, logits[r * width + s]);
    let total = 0;
    for (let s = 0; s < width; s++) total += Math.exp(logits[r * width + s] - max);
    for (let s = 0; s < width; s++) out[r * width + s] = Math.exp(logits[r * width + s] - max) / total;
  }
  return out;
}
