/**
 * One self-contained piece of DIALS per-agent work for an executor whose workers keep no state
 * between calls (a job queue spanning machines): the agents' states go in with the work and come
 * back updated. Building the group from `setup` and loading the states gives the same agents as a
 * long-lived group holds (a checkpoint resumes the same way), so the numbers match the inline and
 * worker_threads executors. Plain data only; the transport (and Redis) stays outside this package.
 */
import type { LocalAgentState } from "../dials/local-agent.js";
import type { InfluenceDataset } from "../influence/influence-dataset.js";
import { AgentGroup } from "./agent-group.js";
import type { AgentInfluenceResult, AgentTrainingResult, ExecutorSetup } from "./dials-executor.js";

/** The work of one agent group: retrain the AIPs on these datasets, or train PPO locally. */
export type AgentGroupWork =
  | { type: "trainInfluence"; datasets: [number, InfluenceDataset][] }
  | { type: "trainAgents"; steps: number };

export interface AgentGroupTask {
  /** The run's setup without agent states (those travel in `states`). */
  setup: Omit<ExecutorSetup, "agentStates">;
  /** Agent indices of the group. */
  agents: number[];
  /** States by position in `agents`, or none for freshly built agents. */
  states?: LocalAgentState[];
  work: AgentGroupWork;
}

export interface AgentGroupTaskResult {
  influence?: AgentInfluenceResult[];
  training?: AgentTrainingResult[];
  /** After `trainInfluence`: the agents' states, by position in `agents` (after `trainAgents` they are in `training[i].state`). */
  states?: LocalAgentState[];
}

/** Runs one {@link AgentGroupTask} in the calling thread (a TensorFlow.js backend must be ready). */
export function runAgentGroupTask(task: AgentGroupTask): AgentGroupTaskResult {
  if (task.states !== undefined && task.states.length !== task.agents.length) {
    throw new RangeError(
      `agent group task: ${task.states.length} states for ${task.agents.length} agents; expected one per agent`,
    );
  }
  const agentStates: LocalAgentState[] = [];
  task.states?.forEach((state, position) => {
    agentStates[task.agents[position]] = state;
  });
  const group = new AgentGroup({ ...task.setup, agentStates }, task.agents);
  try {
    if (task.work.type === "trainInfluence") {
      const influence = group.trainInfluence(new Map(task.work.datasets));
      return { influence, states: group.states() };
    }
    return { training: group.trainAgents(task.work.steps) };
  } finally {
    group.dispose();
  }
}
