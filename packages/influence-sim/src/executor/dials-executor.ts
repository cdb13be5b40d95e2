/**
 * Where DIALS' per-agent work runs. The loop ({@link runDials}) only talks to this interface:
 * `inline` runs every agent in the calling thread (tests), `worker_threads` spreads the agents over
 * threads of one machine; a job-queue executor for many machines implements the same four calls
 * (everything crossing it is plain data: typed arrays, numbers, strings).
 */

import type { DialsConfig, DialsEnvironment } from "../dials/dials-config.js";
import type { LocalAgentState, LocalTrainingReport } from "../dials/local-agent.js";
import type { InfluenceDataset } from "../influence/influence-dataset.js";
import type { InfluenceTrainingReport } from "../influence/train-influence-predictor.js";

/** The phases of one DIALS iteration (timed, and named in errors). */
export const DIALS_PHASES = [
  "data-collection",
  "influence-training",
  "local-training",
  "evaluation",
] as const;
export type DialsPhase = (typeof DIALS_PHASES)[number];

/** Everything an executor needs to build its agents; plain data. */
export interface ExecutorSetup {
  environment: DialsEnvironment;
  config: DialsConfig;
  seed: number;
  numAgents: number;
  /** States to resume from (one per agent, by agent index), or none for a fresh start. */
  agentStates?: readonly LocalAgentState[];
}

/** One agent's AIP retraining result. */
export interface AgentInfluenceResult extends InfluenceTrainingReport {
  agent: number;
  seconds: number;
}

/** One agent's local training result: its full state (the policy the loop evaluates) and timings. */
export interface AgentTrainingResult extends LocalTrainingReport {
  agent: number;
  state: LocalAgentState;
}

export interface DialsExecutor {
  /** `inline`, `worker_threads`, …: recorded with the timings. */
  readonly name: string;
  start(setup: ExecutorSetup): Promise<void>;
  /** Retrains every agent's AIP in place on its dataset (`datasets[i]` is agent i's). */
  trainInfluence(datasets: InfluenceDataset[]): Promise<AgentInfluenceResult[]>;
  /** Every agent trains PPO for `steps` actions in its local simulator; results by agent index. */
  trainAgents(steps: number): Promise<AgentTrainingResult[]>;
  close(): Promise<void>;
}

/** A failure inside one agent's work, naming the agent and the phase. */
export class AgentPhaseError extends Error {
  constructor(
    readonly agents: readonly number[],
    readonly phase: DialsPhase | "start",
    readonly detail: string,
  ) {
    super(
      `DIALS: agent${agents.length === 1 ? "" : "s"} ${agents.join(", ")} failed during ${phase}: ${detail}`,
    );
    this.name = "AgentPhaseError";
  }
}
