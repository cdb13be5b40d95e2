/**
 * # DIALS — Distributed Influence-Augmented Local Simulators (Suau et al.; spec §4.2)
 *
 * The loop of `experiment.py` `Experiment.run` (lines 165–199), for `step = 0, T, 2T, … ≤ total`
 * with T = `trainSteps` = min(E, F):
 *
 *     if dials and step % F == 0: collect datasetSteps in the GLOBAL simulator with the current
 *                                 policies; retrain every agent's AIP (in place, in parallel)
 *     if step % E == 0:           evaluate all agents together in the global simulator
 *     if step < total:            every agent trains PPO for T steps in its own local simulator
 *                                 (global variant: all agents together in the global simulator)
 *
 * Deviations from the original, each deliberate: no AIP retraining and no training round after the
 * final evaluation (the original's `range(0, total + 1, T)` does both once more at `step = total`); trained AIPs reach the
 * local simulators; one network per agent; every agent bootstraps from its own observation;
 * actions are applied in the global simulator (spec §4.5). Data pairs the d-set before a step with
 * the sources after it (see `influence-dataset.ts`).
 *
 * Randomness: the run seed's streams `global-env`, `data-collection`, `evaluation`,
 * `global-training`, and per agent `agents/<i>` (owned by whichever thread trains the agent), so
 * the numbers do not depend on the executor or the number of workers. A checkpoint is written
 * (temp file + rename) after every iteration; resuming continues exactly.
 */
import { existsSync } from "node:fs";
import { createRng, parseOptions, Rng, type RngState } from "@netmarl/envs";
import { readStateFile, writeStateFile } from "@netmarl/trainers";
import { AgentPhaseError, type DialsExecutor, type DialsPhase } from "../executor/dials-executor.js";
import { InlineExecutor } from "../executor/inline-executor.js";
import { WorkerExecutor } from "../executor/worker-executor.js";
import { PpoAgent, type PpoAgentState } from "../ppo/ppo-agent.js";
import {
  createDialsEnvironment,
  type DialsConfig,
  type DialsConfigInput,
  type DialsEnvironment,
  dialsConfigSchema,
  resolvePpoConfig,
  resolveTrainSteps,
} from "./dials-config.js";
import { collectInfluenceData, evaluateInGlobal, trainInGlobal } from "./global-simulation.js";
import { agentRng, type LocalAgentState } from "./local-agent.js";

/** Options of {@link runDials}. */
export interface DialsRunOptions {
  environment: DialsEnvironment;
  config: DialsConfigInput;
  seed: number;
  /** Where the agents train (default: `worker_threads` when `config.workers` > 0, else inline). */
  executor?: DialsExecutor;
  /** Checkpoint file, rewritten atomically after every iteration. */
  checkpointPath?: string;
  /** Continue from `checkpointPath` when it exists. */
  resume?: boolean;
  /** Called after every iteration (progress, metric sinks). */
  onIteration?: (record: DialsIterationRecord) => void | Promise<void>;
}

/** Means over agents of one AIP retraining's losses. */
export interface InfluenceLossSummary {
  initialTestLoss: number;
  finalTestLoss: number;
  constantTestLoss: number;
}

/** One iteration of the loop. */
export interface DialsIterationRecord {
  /** Steps per agent before this iteration's training. */
  step: number;
  /** Mean return per agent and episode in the global simulator (when evaluated). */
  evaluationReturn?: number;
  influence?: InfluenceLossSummary;
  /** Mean over agents of the training episodes' returns (local or global), when any ended. */
  trainingReturn?: number;
  /** Wall-clock seconds of each phase (0 when the phase did not run). */
  seconds: Record<DialsPhase, number>;
  /** Sum over agents of the compute seconds spent in local training (≈ one core's work). */
  agentTrainingSeconds: number;
  /** Sum over agents of seconds spent inside simulator steps during training. */
  simulatorSeconds: number;
  /** Agent-steps simulated in training this iteration (steps × agents). */
  agentSteps: number;
}

/** What a run returns. */
export interface DialsSummary {
  variant: DialsConfig["variant"];
  numAgents: number;
  executor: string;
  iterations: DialsIterationRecord[];
  /** The last evaluation's mean return. */
  finalReturn: number;
  /** Seconds per phase, summed over the run. */
  phaseSeconds: Record<DialsPhase, number>;
}

interface DialsCheckpoint {
  format: "netmarl-dials-1";
  variant: string;
  seed: number;
  nextStep: number;
  rngs: Record<"data" | "evaluation" | "globalTraining", RngState>;
  localAgents?: LocalAgentState[];
  globalAgents?: PpoAgentState[];
  iterations: DialsIterationRecord[];
}

const zeroSeconds = (): Record<DialsPhase, number> => ({
  "data-collection": 0,
  "influence-training": 0,
  "local-training": 0,
  evaluation: 0,
});

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function timed<T>(
  seconds: Record<DialsPhase, number>,
  phase: DialsPhase,
  work: () => T | Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    seconds[phase] += (performance.now() - started) / 1000;
  }
}

/** Runs (or resumes) one DIALS / untrained-DIALS / global run; see the file header. */
export async function runDials(options: DialsRunOptions): Promise<DialsSummary> {
  const config = parseOptions(dialsConfigSchema, options.config, "DIALS config");
  const root = createRng(options.seed);
  const env = createDialsEnvironment(options.environment, root.fork("global-env"));
  const n = env.spec.numAgents;
  const trainSteps = resolveTrainSteps(config, n);
  const ppoConfig = resolvePpoConfig(options.environment, config);
  if (env.spec.actionSpace.kind !== "discrete")
    throw new TypeError("DIALS: expected a discrete action space");
  const numActions = env.spec.actionSpace.n;
  // One network per agent, initialised from the agent's stream exactly as its local copy is.
  const agents = Array.from(
    { length: n },
    (_, i) => new PpoAgent(env.spec.obsDim, numActions, ppoConfig, agentRng(options.seed, i).fork("ppo")),
  );
  let dataRng = root.fork("data-collection");
  let evaluationRng = root.fork("evaluation");
  let globalTrainingRng = root.fork("global-training");
  let startStep = 0;
  let iterations: DialsIterationRecord[] = [];
  let localStates: LocalAgentState[] | undefined;

  const checkpointPath = options.checkpointPath;
  if (options.resume && checkpointPath !== undefined && existsSync(checkpointPath)) {
    const checkpoint = readStateFile(checkpointPath, "DIALS checkpoint") as DialsCheckpoint;
    if (
      checkpoint.format !== "netmarl-dials-1" ||
      checkpoint.variant !== config.variant ||
      checkpoint.seed !== options.seed
    ) {
      throw new Error(
        `DIALS: checkpoint ${checkpointPath} is for variant ${checkpoint.variant}, seed ${checkpoint.seed}; this run is ${config.variant}, seed ${options.seed}`,
      );
    }
    startStep = checkpoint.nextStep;
    iterations = checkpoint.iterations;
    dataRng = Rng.fromState(checkpoint.rngs.data);
    evaluationRng = Rng.fromState(checkpoint.rngs.evaluation);
    globalTrainingRng = Rng.fromState(checkpoint.rngs.globalTraining);
    localStates = checkpoint.localAgents;
    const ppoStates = checkpoint.globalAgents ?? localStates?.map((state) => state.ppo) ?? [];
    for (const [i, state] of ppoStates.entries()) agents[i].load(state);
  }

  const distributed = config.variant !== "global";
  const executor =
    options.executor ??
    (config.workers > 0 && distributed
      ? new WorkerExecutor({ workers: config.workers })
      : new InlineExecutor());
  const phaseSeconds = zeroSeconds();
  try {
    if (distributed) {
      await executor.start({
        environment: options.environment,
        config,
        seed: options.seed,
        numAgents: n,
        agentStates: localStates,
      });
    }
    for (let step = startStep; step <= config.totalSteps; step += trainSteps) {
      const seconds = zeroSeconds();
      const record: DialsIterationRecord = {
        step,
        seconds,
        agentTrainingSeconds: 0,
        simulatorSeconds: 0,
        agentSteps: 0,
      };
      if (config.variant === "dials" && step % config.influenceTrainEvery === 0 && step < config.totalSteps) {
        const datasets = await timed(seconds, "data-collection", () =>
          collectInfluenceData(env, agents, config.datasetSteps, dataRng),
        );
        const results = await timed(seconds, "influence-training", () => executor.trainInfluence(datasets));
        record.influence = {
          initialTestLoss: mean(results.map((r) => r.initialTestLoss)),
          finalTestLoss: mean(results.map((r) => r.finalTestLoss)),
          constantTestLoss: mean(results.map((r) => r.constantTestLoss)),
        };
      }
      if (step % config.evalEvery === 0) {
        record.evaluationReturn = await timed(
          seconds,
          "evaluation",
          () => evaluateInGlobal(env, agents, config.evalSteps, evaluationRng).meanReturn,
        );
      }
      if (step < config.totalSteps) {
        if (distributed) {
          const results = await timed(seconds, "local-training", () => executor.trainAgents(trainSteps));
          localStates = results.map((result) => result.state);
          for (const result of results) agents[result.agent].load(result.state.ppo);
          record.agentTrainingSeconds = results.reduce((total, r) => total + r.seconds, 0);
          record.simulatorSeconds = results.reduce((total, r) => total + r.simulatorSeconds, 0);
          const returns = results.flatMap((r) => r.episodeReturns);
          if (returns.length > 0) record.trainingReturn = mean(returns);
        } else {
          const result = await timed(seconds, "local-training", () =>
            trainInGlobal(env, agents, trainSteps, globalTrainingRng),
          );
          record.agentTrainingSeconds = seconds["local-training"];
          record.simulatorSeconds = result.simulatorSeconds;
          if (result.episodeReturns.length > 0) record.trainingReturn = mean(result.episodeReturns);
        }
        record.agentSteps = trainSteps * n;
      }
      for (const phase of Object.keys(seconds) as DialsPhase[]) phaseSeconds[phase] += seconds[phase];
      iterations.push(record);
      if (checkpointPath !== undefined) {
        const checkpoint: DialsCheckpoint = {
          format: "netmarl-dials-1",
          variant: config.variant,
          seed: options.seed,
          nextStep: step + trainSteps,
          rngs: {
            data: dataRng.getState(),
            evaluation: evaluationRng.getState(),
            globalTraining: globalTrainingRng.getState(),
          },
          ...(distributed
            ? { localAgents: localStates }
            : { globalAgents: agents.map((agent) => agent.state()) }),
          iterations,
        };
        writeStateFile(checkpointPath, checkpoint);
      }
      await options.onIteration?.(record);
    }
  } catch (error) {
    if (error instanceof AgentPhaseError && checkpointPath !== undefined) {
      error.message += `; the last checkpoint (${checkpointPath}) is intact: resume with resume: true`;
    }
    throw error;
  } finally {
    await executor.close();
    for (const agent of agents) agent.dispose();
  }
  const evaluations = iterations.filter((record) => record.evaluationReturn !== undefined);
  return {
    variant: config.variant,
    numAgents: n,
    executor: distributed ? executor.name : "global",
    iterations,
    finalReturn: evaluations.length > 0 ? evaluations[evaluations.length - 1].evaluationReturn! : Number.NaN,
    phaseSeconds,
  };
}
