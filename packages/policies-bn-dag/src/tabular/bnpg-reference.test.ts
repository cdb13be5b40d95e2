import { readFileSync } from "node:fs";
import { CoordinationGame, createRng } from "@netmarl/envs";
import { describe, expect, it } from "vitest";
import { BayesianNetworkDag, type DagKind } from "../dag/bayesian-network-dag.js";
import { bestResponseObjective, evaluatePolicy, nashGap, optimalObjective } from "./exact-evaluation.js";
import { exactPolicyGradient } from "./policy-gradient.js";
import { TabularBnPolicy } from "./tabular-bn-policy.js";
import { tabularGameFromModel } from "./tabular-game.js";
import { trainTabularBnPolicy } from "./train-tabular-bn.js";

/** Reference numbers from the original tabular code run on CPU (see the fixture's `source`). */
interface ReferenceCase {
  name: string;
  numAgents: number;
  dag: DagKind;
  parents: Record<string, number[]>;
  thetaInit: number[][];
  objective: number;
  optimalObjectiveExact: number;
  nashGapStateOnlyExact: number;
  bestResponseStateOnlyExact: number[];
  gradient: number[][];
  originalPriceOfAnarchy: Record<string, number>;
}

const reference = JSON.parse(
  readFileSync(new URL("./fixtures/bnpg-reference.json", import.meta.url), "utf8"),
) as {
  cases: ReferenceCase[];
};

describe.each(reference.cases.map((c) => [c.name, c] as const))(
  "agrees with the original BNPG tabular code: %s",
  (_name, c) => {
    const n = c.numAgents;
    const game = tabularGameFromModel(new CoordinationGame({ numAgents: n }).tabularModel(), n);
    const dag = BayesianNetworkDag.of(c.dag, n);
    const thetas = c.thetaInit.map((values) => Float64Array.from(values));

    it("builds the same DAG", () => {
      expect(dag.parents.map((p) => Array.from(p))).toEqual(
        Array.from({ length: n }, (_, i) => c.parents[String(i)]),
      );
    });

    it("J, J*, the exact gradient and the state-only best responses", () => {
      const policy = new TabularBnPolicy(dag, thetas);
      const joint = policy.jointProbabilities();
      const evaluation = evaluatePolicy(game, joint);
      expect(evaluation.objective).toBeCloseTo(c.objective, 9);
      expect(optimalObjective(game)).toBeCloseTo(c.optimalObjectiveExact, 9);
      const gradient = exactPolicyGradient(game, policy, joint, evaluation);
      gradient.forEach((g, agent) => {
        for (let k = 0; k < g.length; k++) expect(g[k]).toBeCloseTo(c.gradient[agent][k], 9);
      });
      c.bestResponseStateOnlyExact.forEach((value, agent) => {
        expect(bestResponseObjective(game, policy, agent, "state")).toBeCloseTo(value, 8);
      });
      expect(nashGap(game, policy, evaluation.objective, "state")).toBeCloseTo(c.nashGapStateOnlyExact, 8);
    });

    it("the POA trajectory of SGD from the same θ (the original's J* is value-iteration approximate: 1e-4)", () => {
      const checkpoints = Object.keys(c.originalPriceOfAnarchy).map(Number);
      const last = Math.max(...checkpoints);
      const result = trainTabularBnPolicy({
        game,
        dag,
        rng: createRng(0),
        initialLogits: thetas,
        iterations: last,
        nashGapEvery: 0,
      });
      for (const t of checkpoints)
        expect(Math.abs(result.priceOfAnarchy[t] - c.originalPriceOfAnarchy[String(t)])).toBeLessThan(1e-4);
    });
  },
);
