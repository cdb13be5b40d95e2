/**
 * A DIALS executor whose agents train on `bench worker` processes anywhere, through a BullMQ queue.
 * Workers keep nothing between calls: each call sends one job per agent group carrying the agents'
 * states (policy, AIP and optimiser weights, Rng states) and, for AIP retraining, their datasets,
 * as a binary payload; the job returns the new states and the timings. The executor keeps the
 * states, so any worker can take any job, and a job of a worker that dies is handed to another by
 * BullMQ's stalled-job check and redone from the same states: the numbers match the inline and
 * worker_threads executors for the same seed.
 *
 * It lives in the bench, not in @netmarl/influence-sim, so that package never needs Redis: it only
 * provides the plain-data `runAgentGroupTask`.
 */
import { randomBytes } from "node:crypto";
import {
  type AgentGroupTask,
  type AgentGroupTaskResult,
  type AgentGroupWork,
  type AgentInfluenceResult,
  AgentPhaseError,
  type AgentTrainingResult,
  type DialsExecutor,
  type DialsPhase,
  type ExecutorSetup,
  type InfluenceDataset,
  type LocalAgentState,
} from "@netmarl/influence-sim";
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { decodeBinaryPayload, encodeBinaryPayload } from "./binary-payload.js";
import { DIALS_MESSAGE_FORMAT, type DialsGroupMessage } from "./dials-group-task.js";
import { connectQueue, DIALS_QUEUE } from "./queue-connection.js";

export interface QueueExecutorOptions {
  /** Redis URL (see `resolveQueueUrl`). */
  url: string;
  /** Agent groups, i.e. jobs per call (agent i is in group i mod groups); at most the agents. */
  groups: number;
  /** Backend the workers use (else each worker's own). */
  backend?: string;
}

export class QueueExecutor implements DialsExecutor {
  readonly name = "queue";
  private readonly options: QueueExecutorOptions;
  private connection: Redis | undefined;
  private eventsConnection: Redis | undefined;
  private queue: Queue | undefined;
  private events: QueueEvents | undefined;
  private setup: Omit<ExecutorSetup, "agentStates"> | undefined;
  private states: (LocalAgentState | undefined)[] = [];
  private groups: number[][] = [];
  /** Prefix of this run's job ids. */
  private readonly runId = randomBytes(8).toString("hex");
  private calls = 0;

  constructor(options: QueueExecutorOptions) {
    if (!Number.isInteger(options.groups) || options.groups < 1) {
      throw new RangeError(`QueueExecutor: groups = ${options.groups}; expected an integer >= 1`);
    }
    this.options = options;
  }

  async start(setup: ExecutorSetup): Promise<void> {
    if (this.options.groups > setup.numAgents) {
      throw new RangeError(
        `QueueExecutor: groups = ${this.options.groups}; expected at most the number of agents (${setup.numAgents})`,
      );
    }
    const { agentStates, ...rest } = setup;
    this.setup = rest;
    this.states = Array.from({ length: setup.numAgents }, (_, i) => agentStates?.[i]);
    const { groups } = this.options;
    this.groups = Array.from({ length: groups }, (_, g) =>
      Array.from({ length: setup.numAgents }, (_, i) => i).filter((i) => i % groups === g),
    );
    if (this.queue === undefined) {
      this.connection = connectQueue(this.options.url);
      this.queue = new Queue(DIALS_QUEUE, { connection: this.connection });
      this.eventsConnection = connectQueue(this.options.url);
      this.events = new QueueEvents(DIALS_QUEUE, { connection: this.eventsConnection });
      this.queue.on("error", () => {});
      await this.events.waitUntilReady();
    }
  }

  async trainInfluence(datasets: InfluenceDataset[]): Promise<AgentInfluenceResult[]> {
    const results = await this.call("influence-training", (agents) => ({
      type: "trainInfluence",
      datasets: agents.map((agent) => [agent, datasets[agent]] as [number, InfluenceDataset]),
    }));
    return this.byAgent(results.flatMap((result) => result.influence ?? []));
  }

  async trainAgents(steps: number): Promise<AgentTrainingResult[]> {
    const results = await this.call("local-training", () => ({ type: "trainAgents", steps }));
    return this.byAgent(results.flatMap((result) => result.training ?? []));
  }

  async close(): Promise<void> {
    await this.events?.close();
    await this.queue?.close();
    this.connection?.disconnect();
    this.eventsConnection?.disconnect();
    this.events = undefined;
    this.queue = undefined;
    this.connection = undefined;
  }

  /** One job per group; every group's new states are kept once all jobs are back. */
  private async call(
    phase: DialsPhase,
    workOf: (agents: number[]) => AgentGroupWork,
  ): Promise<AgentGroupTaskResult[]> {
    if (this.setup === undefined || this.queue === undefined || this.events === undefined) {
      throw new Error("QueueExecutor: call start() first");
    }
    const call = this.calls++;
    const results = await Promise.all(
      this.groups.map(async (agents, group) => {
        const states = agents.map((agent) => this.states[agent]);
        const task: AgentGroupTask = {
          setup: this.setup!,
          agents,
          ...(states.every((state) => state !== undefined) ? { states: states as LocalAgentState[] } : {}),
          work: workOf(agents),
        };
        const message: DialsGroupMessage = {
          format: DIALS_MESSAGE_FORMAT,
          task: encodeBinaryPayload(task),
          ...(this.options.backend === undefined ? {} : { backend: this.options.backend }),
        };
        const job = await this.queue!.add("dials-group", message, {
          jobId: `${this.runId}-${call}-${group}`,
          attempts: 1,
          removeOnComplete: true,
          removeOnFail: 100,
        });
        try {
          const encoded = (await job.waitUntilFinished(this.events!)) as string;
          return decodeBinaryPayload(encoded) as AgentGroupTaskResult;
        } catch (error) {
          throw new AgentPhaseError(agents, phase, error instanceof Error ? error.message : String(error));
        }
      }),
    );
    this.groups.forEach((agents, group) => {
      const states = results[group].states ?? results[group].training?.map((result) => result.state) ?? [];
      states.forEach((state, position) => {
        this.states[agents[position]] = state;
      });
    });
    return results;
  }

  private byAgent<T extends { agent: number }>(results: T[]): T[] {
    const ordered = new Array<T>(this.states.length);
    for (const result of results) ordered[result.agent] = result;
    return ordered;
  }
}
