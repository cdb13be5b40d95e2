import { CoordinationGame, createRng } from "@netmarl/envs";
import { describe, expect, it } from "vitest";
import { BayesianNetworkDag, type DagKind } from "../dag/bayesian-network-dag.js";
import { bestResponseObjective, evaluatePolicy, nashGap, optimalObjective } from "./exact-evaluation.js";
import { exactPolicyGradient } from "./policy-gradient.js";
import { TabularBnPolicy } from "./tabular-bn-policy.js";
import { agentBit, type TabularGame, tabularGameFromModel } from "./tabular-game.js";
import { trainTabularBnPolicy } from "./train-tabular-bn.js";

function gameOf(numAgents: number): TabularGame {
  return tabularGameFromModel(new CoordinationGame({ numAgents }).tabularModel(), numAgents);
}

function objectiveOf(game: TabularGame, policy: TabularBnPolicy): number {
  return evaluatePolicy(game, policy.jointProbabilities()).objective;
}

describe("exact tabular BN policy gradient", () => {
  for (const n of [2, 3]) {
    for (const kind of ["fully", "line", "none"] as DagKind[]) {
      it(`equals central finite differences of J(θ) (n = ${n}, ${kind})`, () => {
        const game = gameOf(n);
        const policy = TabularBnPolicy.random(BayesianNetworkDag.of(kind, n), createRng(7 + n));
        const joint = policy.jointProbabilities();
        const gradients = exactPolicyGradient(game, policy, joint, evaluatePolicy(game, joint));
        const h = 1e-5;
        let worst = 0;
        gradients.forEach((gradient, agent) => {
          const table = policy.logits[agent];
          for (let k = 0; k < table.length; k++) {
            const saved = table[k];
            table[k] = saved + h;
            const plus = objectiveOf(game, policy);
            table[k] = saved - h;
            const minus = objectiveOf(game, policy);
            table[k] = saved;
            const numeric = (plus - minus) / (2 * h);
            const error = Math.abs(numeric - gradient[k]) / Math.max(1, Math.abs(numeric));
            worst = Math.max(worst, error);
          }
        });
        expect(worst).toBeLessThan(1e-6);
      });
    }
  }

  it("J of a deterministic BN policy equals a Monte-Carlo rollout estimate within its 99.9 % interval", () => {
    const n = 3;
    const game = gameOf(n);
    // a fully correlated deterministic policy: agent 0 plays 1 in states with ≥ 2 ones, each later
    // agent copies its first parent's action (a correlated, state-dependent policy)
    const dag = BayesianNetworkDag.of("fully", n);
    const policy = new TabularBnPolicy(dag);
    const big = 40;
    for (let agent = 0; agent < n; agent++) {
      const table = policy.logits[agent];
      for (let s = 0; s < game.numStates; s++) {
        for (let c = 0; c < policy.numConfigurations[agent]; c++) {
          const ones = [0, 1, 2].filter((i) => agentBit(s, i, n) === 1).length;
          const action = agent === 0 ? (ones >= 2 ? 1 : 0) : c >> (dag.parents[agent].length - 1);
          table[(s * policy.numConfigurations[agent] + c) * 2 + action] = big;
        }
      }
    }
    const exact = objectiveOf(game, policy);
    const rng = createRng(3);
    const episodes = 8_000;
    const horizon = 300; // γ^300 ≈ 2e-7
    let sum = 0;
    let sumSquares = 0;
    for (let e = 0; e < episodes; e++) {
      let state = rng.int(game.numStates);
      let total = 0;
      let weight = 1;
      for (let t = 0; t < horizon; t++) {
        total += weight * game.stateReward[state];
        weight *= game.discount;
        const bits: number[] = [];
        for (let agent = 0; agent < n; agent++) {
          let configuration = 0;
          for (const parent of dag.parents[agent]) configuration = configuration * 2 + bits[parent];
          bits.push(policy.localProbability(agent, state, configuration, 1) > 0.5 ? 1 : 0);
        }
        state = 0;
        for (let agent = 0; agent < n; agent++) {
          const flipped = rng.uniform() < 0.1;
          state = state * 2 + (flipped ? 1 - bits[agent] : bits[agent]);
        }
      }
      sum += total;
      sumSquares += total * total;
    }
    // J = Σ_s μ(s) V(s) with μ = 1/n for each of the 2^n states = (2^n / n) E_{s0 uniform}[V(s0)]
    const mean = sum / episodes;
    const standardError = Math.sqrt((sumSquares / episodes - mean * mean) / episodes);
    const scale = game.numStates / n;
    expect(Math.abs(exact - scale * mean)).toBeLessThan(3.3 * scale * standardError);
  });

  it("POA lies in (0, 1] and both Nash gaps are >= 0 with the parents-aware one, on random policies", () => {
    for (const n of [2, 3, 5]) {
      const game = gameOf(n);
      const best = optimalObjective(game);
      for (const kind of ["fully", "line", "line-original", "none"] as DagKind[]) {
        for (let seed = 0; seed < (n === 5 ? 2 : 10); seed++) {
          const policy = TabularBnPolicy.random(BayesianNetworkDag.of(kind, n), createRng(seed));
          const objective = objectiveOf(game, policy);
          expect(objective / best).toBeGreaterThan(0);
          expect(objective / best).toBeLessThanOrEqual(1);
          expect(nashGap(game, policy, objective)).toBeGreaterThanOrEqual(-1e-9);
        }
      }
    }
  });

  it("J* is the value of the best deterministic joint policy (brute force over constant joint actions at n = 3)", () => {
    const game = gameOf(3);
    // P(s'|a) does not depend on s, so an optimal policy plays the same joint action everywhere.
    let best = Number.NEGATIVE_INFINITY;
    for (let action = 0; action < game.numStates; action++) {
      const joint = new Float64Array(game.numStates * game.numStates);
      for (let s = 0; s < game.numStates; s++) joint[s * game.numStates + action] = 1;
      best = Math.max(best, evaluatePolicy(game, joint).objective);
    }
    expect(optimalObjective(game)).toBeCloseTo(best, 10);
  });

  it("a best response is at least the agent's own conditional, and equals it at a deterministic optimum", () => {
    const game = gameOf(3);
    const policy = TabularBnPolicy.random(BayesianNetworkDag.of("fully", 3), createRng(1));
    const objective = objectiveOf(game, policy);
    for (let agent = 0; agent < 3; agent++)
      expect(bestResponseObjective(game, policy, agent)).toBeGreaterThanOrEqual(objective - 1e-9);
  });

  it("training raises POA and is reproducible by seed", () => {
    const game = gameOf(3);
    const run = () =>
      trainTabularBnPolicy({ game, dag: "fully", rng: createRng(5), iterations: 300, nashGapEvery: 100 });
    const first = run();
    expect(first.priceOfAnarchy[300]).toBeGreaterThan(first.priceOfAnarchy[0]);
    expect(Array.from(run().priceOfAnarchy)).toEqual(Array.from(first.priceOfAnarchy));
    expect(first.nashGap["state-and-parents"]![300]).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(first.nashGap["state-and-parents"]![1])).toBe(true);
  });
});

describe("bad input", () => {
  it("refuses a DAG with a cycle, a parent out of range and a self-loop, naming the value", () => {
    expect(() => BayesianNetworkDag.fromParents([[1], [2], [0]])).toThrow(/cycle.*0→2/);
    expect(() => BayesianNetworkDag.fromParents([[], [3], []])).toThrow(
      /parents\[1\] contains 3; expected an agent index in 0..2/,
    );
    expect(() =>
      BayesianNetworkDag.fromAdjacency([
        [1, 0],
        [0, 0],
      ]),
    ).toThrow(/adjacency\[0\]\[0\] = 1 is a self-loop/);
    expect(() => BayesianNetworkDag.of("ring" as DagKind, 3)).toThrow(/kind = "ring"/);
  });

  it("refuses games too large for the exact solver, naming the size", () => {
    const model = new CoordinationGame({ numAgents: 10 }).tabularModel();
    expect(() => tabularGameFromModel(model, 10)).toThrow(
      /numAgents = 10; the exact solver handles 1..8 agents \(n = 10 would need 1048576/,
    );
  });

  it("builds the line DAG as a chain and line-original with the original's missing last edge", () => {
    const edges = (kind: DagKind, n: number) =>
      BayesianNetworkDag.of(kind, n).parents.map((p) => Array.from(p));
    expect(edges("line", 3)).toEqual([[], [0], [1]]);
    expect(edges("line-original", 3)).toEqual([[], [0], []]);
    expect(edges("line-original", 2)).toEqual([[], []]);
    expect(edges("fully", 3)).toEqual([[], [0], [0, 1]]);
  });
});
