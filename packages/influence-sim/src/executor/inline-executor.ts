import type { InfluenceDataset } from "../influence/influence-dataset.js";
import { AgentGroup } from "./agent-group.js";
import type {
  AgentInfluenceResult,
  AgentTrainingResult,
  DialsExecutor,
  ExecutorSetup,
} from "./dials-executor.js";

/** Every agent in the calling thread, one after another (tests, and `workers: 0`). */
export class InlineExecutor implements DialsExecutor {
  readonly name = "inline";
  private group: AgentGroup | undefined;

  async start(setup: ExecutorSetup): Promise<void> {
    this.group?.dispose();
    this.group = new AgentGroup(
      setup,
      Array.from({ length: setup.numAgents }, (_, i) => i),
    );
  }

  async trainInfluence(datasets: InfluenceDataset[]): Promise<AgentInfluenceResult[]> {
    return this.started().trainInfluence(new Map(datasets.map((dataset, agent) => [agent, dataset])));
  }

  async trainAgents(steps: number): Promise<AgentTrainingResult[]> {
    return this.started().trainAgents(steps);
  }

  async close(): Promise<void> {
    this.group?.dispose();
    this.group = undefined;
  }

  private started(): AgentGroup {
    if (this.group === undefined) throw new Error("InlineExecutor: call start() first");
    return this.group;
  }
}
