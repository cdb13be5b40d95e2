import { createRng } from "@netmarl/envs";
import { createDialsEnvironment } from "../dials/dials-config.js";
import { LocalAgent, type LocalAgentState } from "../dials/local-agent.js";
import type { InfluenceDataset } from "../influence/influence-dataset.js";
import {
  type AgentInfluenceResult,
  AgentPhaseError,
  type AgentTrainingResult,
  type DialsPhase,
  type ExecutorSetup,
} from "./dials-executor.js";

/**
 * The agents one thread owns (all of them inline, a share in a worker). Each call runs its agents
 * one after another and wraps any failure in an {@link AgentPhaseError} naming agent and phase.
 */
export class AgentGroup {
  private readonly agents: LocalAgent[] = [];

  constructor(setup: ExecutorSetup, agentIndices: readonly number[]) {
    // one global environment per group: the agents only cut their regions from it
    const env = createDialsEnvironment(setup.environment, createRng(setup.seed).fork("global-env"));
    for (const index of agentIndices) {
      this.guard(index, "start", () => {
        const agent = new LocalAgent(setup.environment, index, setup.config, setup.seed, env);
        const state = setup.agentStates?.[index];
        if (state !== undefined) agent.load(state);
        this.agents.push(agent);
      });
    }
  }

  get indices(): number[] {
    return this.agents.map((agent) => agent.agent);
  }

  trainInfluence(datasets: ReadonlyMap<number, InfluenceDataset>): AgentInfluenceResult[] {
    return this.agents.map((agent) =>
      this.guard(agent.agent, "influence-training", () => {
        const dataset = datasets.get(agent.agent);
        if (dataset === undefined) throw new Error("no dataset was sent for this agent");
        const started = performance.now();
        const report = agent.trainInfluence(dataset);
        return { agent: agent.agent, ...report, seconds: (performance.now() - started) / 1000 };
      }),
    );
  }

  trainAgents(steps: number): AgentTrainingResult[] {
    return this.agents.map((agent) =>
      this.guard(agent.agent, "local-training", () => ({
        agent: agent.agent,
        ...agent.train(steps),
        state: agent.state(),
      })),
    );
  }

  /** Every agent's full state, in the group's order. */
  states(): LocalAgentState[] {
    return this.agents.map((agent) => agent.state());
  }

  dispose(): void {
    for (const agent of this.agents) agent.dispose();
    this.agents.length = 0;
  }

  private guard<T>(agent: number, phase: DialsPhase | "start", work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof AgentPhaseError) throw error;
      throw new AgentPhaseError([agent], phase, error instanceof Error ? error.message : String(error));
    }
  }
}
