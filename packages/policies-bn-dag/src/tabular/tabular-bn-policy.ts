import type { Rng } from "@netmarl/envs";
import type { BayesianNetworkDag } from "../dag/bayesian-network-dag.js";
import { agentBit } from "./tabular-game.js";

/**
 * A tabular softmax BN policy (BN-DAG §5; `Tabular_Coordination_Game/cg.py`):
 * θ_i[s, c, b] for state s, parent configuration c and binary action b, with
 * π_i(b | s, c) = softmax(θ_i[s, c, :]) and π(a | s) = Π_i π_i(a_i | s, a_Pa(i)).
 * The parent configuration c is the binary number of the parents' actions in ascending agent
 * order, the first parent most significant (`int(binary string)` as in the original).
 */
export class TabularBnPolicy {
  readonly numAgents: number;
  readonly numStates: number;
  /** θ_i, row-major [s][c][b]. */
  readonly logits: Float64Array[];
  /** For agent i and joint action a: the configuration c of i's parents in a. */
  readonly parentConfiguration: Int32Array[];
  /** 2^{|Pa(i)|}. */
  readonly numConfigurations: Int32Array;

  constructor(
    readonly dag: BayesianNetworkDag,
    logits?: readonly Float64Array[],
  ) {
    const n = dag.numAgents;
    this.numAgents = n;
    this.numStates = 2 ** n;
    this.numConfigurations = Int32Array.from(dag.parents, (parents) => 2 ** parents.length);
    this.parentConfiguration = dag.parents.map((parents) =>
      Int32Array.from({ length: this.numStates }, (_, joint) => {
        let configuration = 0;
        for (const parent of parents) configuration = configuration * 2 + agentBit(joint, parent, n);
        return configuration;
      }),
    );
    this.logits = Array.from({ length: n }, (_, agent) => {
      const size = this.numStates * this.numConfigurations[agent] * 2;
      const given = logits?.[agent];
      if (logits !== undefined && given?.length !== size) {
        throw new RangeError(
          `TabularBnPolicy: logits[${agent}] has ${given?.length} entries; expected ${size} (2^n states × ${this.numConfigurations[agent]} parent configurations × 2 actions)`,
        );
      }
      return given ? Float64Array.from(given) : new Float64Array(size);
    });
  }

  /** θ ~ N(0, 1) from the Rng, agent by agent (the original's `torch.randn` per agent). */
  static random(dag: BayesianNetworkDag, rng: Rng): TabularBnPolicy {
    const policy = new TabularBnPolicy(dag);
    for (const table of policy.logits) for (let k = 0; k < table.length; k++) table[k] = rng.normal();
    return policy;
  }

  /** π_i(b | s, c). */
  localProbability(agent: number, state: number, configuration: number, action: number): number {
    const base = ((state * this.numConfigurations[agent] + configuration) * 2) | 0;
    const table = this.logits[agent];
    const z0 = table[base];
    const z1 = table[base + 1];
    // softmax over two logits, written to stay finite for large |θ|
    const p1 = 1 / (1 + Math.exp(z0 - z1));
    return action === 1 ? p1 : 1 - p1;
  }

  /** π(a | s) into `out` (S × A, row-major [s][a]); also returns it. */
  jointProbabilities(out: Float64Array = new Float64Array(this.numStates * this.numStates)): Float64Array {
    const { numAgents: n, numStates: size } = this;
    for (let state = 0; state < size; state++) {
      for (let joint = 0; joint < size; joint++) {
        let p = 1;
        for (let agent = 0; agent < n; agent++) {
          p *= this.localProbability(
            agent,
            state,
            this.parentConfiguration[agent][joint],
            agentBit(joint, agent, n),
          );
        }
        out[state * size + joint] = p;
      }
    }
    return out;
  }

  /** Π_{j ≠ i} π_j(a_j | s, a_Pa(j)): the others' part of π(a | s), agent i's action a_i fixed by a. */
  othersProbabilities(
    agent: number,
    out: Float64Array = new Float64Array(this.numStates * this.numStates),
  ): Float64Array {
    const { numAgents: n, numStates: size } = this;
    for (let state = 0; state < size; state++) {
      for (let joint = 0; joint < size; joint++) {
        let p = 1;
        for (let other = 0; other < n; other++) {
          if (other === agent) continue;
          p *= this.localProbability(
            other,
            state,
            this.parentConfiguration[other][joint],
            agentBit(joint, other, n),
          );
        }
        out[state * size + joint] = p;
      }
    }
    return out;
  }
}
