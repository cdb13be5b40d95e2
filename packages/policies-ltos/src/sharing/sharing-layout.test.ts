import { AgentGraph, createRng } from "@netmarl/envs";
import { NeighbourRows } from "@netmarl/trainers";
import { describe, expect, it } from "vitest";
import { SharingLayout, selfishLogit, softmaxRowsInto } from "./sharing-layout.js";

// 6 agents: a path 0-1-2-3, a star centre 3 with 4, and agent 5 isolated (degrees 1, 2, 2, 2, 1, 0).
const graph = AgentGraph.fromEdges(6, [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
]);
const maxNeighbors = 3;

function layoutFor(selfishness: number, graphs = 1): SharingLayout {
  const rows = new Int32Array(graphs * graph.numAgents * maxNeighbors);
  for (let b = 0; b < graphs; b++) NeighbourRows.writeRows(graph, maxNeighbors, rows, b);
  return new SharingLayout(graph.numAgents, maxNeighbors, graphs, selfishness).build(rows, graphs);
}

/** Softmax of offsets + the given network output. */
function weights(layout: SharingLayout, networkOutput: (slot: number) => number): Float32Array {
  const size = layout.graphs * layout.numAgents * layout.outWidth;
  const logits = new Float32Array(size);
  for (let e = 0; e < size; e++) logits[e] = layout.logitOffsets[e] + networkOutput(e);
  return softmaxRowsInto(logits, layout.graphs * layout.numAgents, layout.outWidth, new Float32Array(size));
}

describe("SharingLayout", () => {
  it("the selfishness initialiser gives exactly the configured self share at zero network output", () => {
    for (const selfishness of [0.5, 0.8, 0.9, 0.3]) {
      const layout = layoutFor(selfishness);
      const w = weights(layout, () => 0);
      const k = layout.outWidth;
      for (let i = 0; i < graph.numAgents; i++) {
        const degree = graph.degree(i);
        const expectedSelf = degree === 0 ? 1 : selfishness;
        expect(w[i * k]).toBeCloseTo(expectedSelf, 6);
        for (let s = 1; s <= degree; s++) expect(w[i * k + s]).toBeCloseTo((1 - selfishness) / degree, 6);
        for (let s = degree + 1; s < k; s++) expect(w[i * k + s]).toBe(0);
      }
    }
    expect(selfishLogit(0.8, 5)).toBeCloseTo(Math.log(16), 12); // log(0.8/0.2 · 4), code line 70
  });

  it("isolated agents keep w = [1]; selfishness 1 shares nothing", () => {
    const w = weights(layoutFor(0.5), () => 0);
    expect(Array.from(w.subarray(5 * 4, 6 * 4))).toEqual([1, 0, 0, 0]);
    const selfish = weights(layoutFor(1), (e) => Math.sin(e) * 3);
    for (let i = 0; i < 6; i++) expect(selfish[i * 4]).toBe(1);
  });

  it("rows sum to 1 on every agent for any network output, padding gets exactly 0", () => {
    const rng = createRng(3);
    const layout = layoutFor(0.7, 3);
    const w = weights(layout, () => 4 * rng.normal());
    for (let row = 0; row < 18; row++) {
      let total = 0;
      for (let s = 0; s < 4; s++) {
        total += w[row * 4 + s];
        if (layout.outMask[row * 4 + s] === 0) expect(w[row * 4 + s]).toBe(0);
      }
      expect(total).toBeCloseTo(1, 6);
    }
  });

  it("reward is redistributed, not created: Σ_j r̂_j = Σ_i r_i", () => {
    const rng = createRng(4);
    const layout = layoutFor(0.5, 2);
    for (let trial = 0; trial < 20; trial++) {
      const w = weights(layout, () => 3 * rng.normal());
      const wIn = layout.reindexOutToIn(w, new Float32Array(2 * 6 * 4));
      const rewards = Float32Array.from({ length: 12 }, () => 10 * rng.normal());
      const shaped = layout.shapeRewards(rewards, wIn, new Float32Array(12));
      for (let b = 0; b < 2; b++) {
        let raw = 0;
        let redistributed = 0;
        for (let i = 0; i < 6; i++) {
          raw += rewards[b * 6 + i];
          redistributed += shaped[b * 6 + i];
        }
        expect(redistributed).toBeCloseTo(raw, 4);
      }
    }
  });

  it("w_in lists self first, then the senders in ascending id, and matches w_out entry by entry", () => {
    const layout = layoutFor(0.5);
    const w = weights(layout, (e) => e / 10);
    const wIn = layout.reindexOutToIn(w, new Float32Array(24));
    // agent 2 receives from itself, 1 and 3
    expect(Array.from(layout.inAgents.subarray(8, 12))).toEqual([2, 1, 3, -1]);
    expect(wIn[8]).toBe(w[2 * 4]);
    const slotOf = (i: number, j: number) => {
      for (let s = 0; s < 4; s++) if (layout.outAgents[i * 4 + s] === j) return i * 4 + s;
      return -1;
    };
    expect(wIn[9]).toBe(w[slotOf(1, 2)]);
    expect(wIn[10]).toBe(w[slotOf(3, 2)]);
  });

  it("the gradient exchange is the adjoint of the re-indexing: ⟨g_in, gather(w)⟩ = ⟨send(g_in), w⟩", () => {
    const rng = createRng(5);
    const layout = layoutFor(0.5, 2);
    const w = Float32Array.from({ length: 48 }, (_, e) => (layout.outMask[e] ? rng.normal() : 0));
    const gIn = Float32Array.from({ length: 48 }, () => rng.normal());
    const wIn = layout.reindexOutToIn(w, new Float32Array(48));
    const gOut = layout.sendGradients(gIn, new Float32Array(48));
    let left = 0;
    let right = 0;
    for (let e = 0; e < 48; e++) {
      left += gIn[e] * wIn[e];
      right += gOut[e] * w[e];
    }
    expect(right).toBeCloseTo(left, 4);
  });

  it("refuses a selfishness outside (0, 1] and more senders than maxNeighbors", () => {
    expect(() => new SharingLayout(3, 2, 1, 0)).toThrow(/selfishness = 0; expected a number in \(0, 1\]/);
    expect(() => new SharingLayout(3, 2, 1, 1.5)).toThrow(/selfishness/);
    // a directed star: everyone names agent 0, which then has 4 senders
    const star = new AgentGraph(5, Int32Array.of(0, 1, 2, 3, 4, 5), Int32Array.of(1, 0, 0, 0, 0));
    const rows = new Int32Array(5 * 2);
    NeighbourRows.writeRows(star, 2, rows);
    expect(() => new SharingLayout(5, 2, 1, 0.5).build(rows, 1)).toThrow(
      /agent 0 receives from more than maxNeighbors = 2 other agents/,
    );
  });
});
