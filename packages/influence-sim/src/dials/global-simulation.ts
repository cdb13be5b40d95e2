/**
 * What DIALS does in the global simulator (`experiment.py` `collect_data` lines 203–229,
 * `evaluate` lines 231–262, `trainer.py` `train_multi_agent` lines 40–82): all agents act together,
 * each with its own network and its own observation; actions are applied (the stored snapshot's
 * `super().step(None)` ignored them, spec §4.5); episodes of all agents end together (checked).
 */
import type { LocalView, MultiAgentEnv, Rng } from "@netmarl/envs";
import type { InfluenceDataset } from "../influence/influence-dataset.js";
import type { PpoAgent } from "../ppo/ppo-agent.js";

/** What acting in the global simulator needs of an agent (a {@link PpoAgent}, or a scripted policy). */
export interface ActingPolicy {
  /** An action for one agent's observation; uniforms from `rng`. */
  act(observation: Float32Array, rng: Rng): number;
  /** Zeroes a recurrent policy's memory at an episode start. */
  resetMemory?(): void;
}

function resetMemories(agents: readonly ActingPolicy[]): void {
  for (const agent of agents) agent.resetMemory?.();
}

function episodeOver(terminated: Uint8Array, truncated: Uint8Array): boolean {
  const first = terminated[0] === 1 || truncated[0] === 1;
  for (let i = 1; i < terminated.length; i++) {
    if ((terminated[i] === 1 || truncated[i] === 1) !== first) {
      throw new Error("DIALS: the agents' episodes must end together in the global simulator (spec §4.5)");
    }
  }
  return first;
}

/** Joint actions of all agents, each from its own network and observation slice. */
function actAll(
  agents: readonly ActingPolicy[],
  observations: Float32Array,
  obsDim: number,
  rng: Rng,
  out: Int32Array,
) {
  for (let i = 0; i < agents.length; i++) {
    out[i] = agents[i].act(observations.subarray(i * obsDim, (i + 1) * obsDim), rng);
  }
}

/**
 * Runs the current policies in the global simulator for whole episodes until at least `steps`
 * steps, recording per agent the d-set before each step and the influence sources after it.
 */
export function collectInfluenceData(
  env: MultiAgentEnv & LocalView,
  agents: readonly ActingPolicy[],
  steps: number,
  rng: Rng,
): InfluenceDataset[] {
  const n = env.spec.numAgents;
  const episodeLength = env.spec.maxSteps;
  const numEpisodes = Math.ceil(steps / episodeLength);
  const spec = env.influenceSpec(0);
  const inputSize = env.localStateDim;
  const datasets = Array.from({ length: n }, () => ({
    inputSize,
    numSources: spec.numSources,
    numValues: spec.numValues,
    episodeLength,
    numEpisodes,
    inputs: new Float32Array(numEpisodes * episodeLength * inputSize),
    targets: new Int32Array(numEpisodes * episodeLength * spec.numSources),
  }));
  const actions = new Int32Array(n);
  const obsDim = env.spec.obsDim;
  for (let episode = 0; episode < numEpisodes; episode++) {
    let observations = env.reset(rng.nextSeed()).obs;
    resetMemories(agents);
    for (let t = 0; t < episodeLength; t++) {
      const row = episode * episodeLength + t;
      for (let i = 0; i < n; i++)
        env.localState(i, datasets[i].inputs.subarray(row * inputSize, (row + 1) * inputSize));
      actAll(agents, observations, obsDim, rng, actions);
      const result = env.step(actions);
      for (let i = 0; i < n; i++) {
        env.influenceSources(
          i,
          datasets[i].targets.subarray(row * spec.numSources, (row + 1) * spec.numSources),
        );
      }
      observations = result.obs;
      const over = episodeOver(result.terminated, result.truncated);
      if (over !== (t === episodeLength - 1)) {
        throw new Error(
          `DIALS: episode ended at step ${t + 1}; expected every episode to last maxSteps = ${episodeLength}`,
        );
      }
    }
  }
  return datasets;
}

/** Mean over episodes and agents of each agent's episode return, over whole episodes ≥ `steps`. */
export function evaluateInGlobal(
  env: MultiAgentEnv,
  agents: readonly ActingPolicy[],
  steps: number,
  rng: Rng,
): { meanReturn: number; episodes: number } {
  const n = env.spec.numAgents;
  const actions = new Int32Array(n);
  let total = 0;
  let episodes = 0;
  let taken = 0;
  while (taken < steps) {
    let observations = env.reset(rng.nextSeed()).obs;
    resetMemories(agents);
    for (;;) {
      actAll(agents, observations, env.spec.obsDim, rng, actions);
      const result = env.step(actions);
      for (let i = 0; i < n; i++) total += result.rewards[i];
      taken++;
      observations = result.obs;
      if (episodeOver(result.terminated, result.truncated)) break;
    }
    episodes++;
  }
  return { meanReturn: total / (episodes * n), episodes };
}

/**
 * The GS baseline's training round: independent PPO learners in the global simulator for `steps`
 * steps (whole rollouts), restarted at each call as `train_multi_agent` does; each agent bootstraps
 * from its *own* next observation (the original used a stale loop index, spec §4.5).
 */
export function trainInGlobal(
  env: MultiAgentEnv,
  agents: readonly PpoAgent[],
  steps: number,
  rng: Rng,
): { episodeReturns: number[]; simulatorSeconds: number } {
  const n = env.spec.numAgents;
  const obsDim = env.spec.obsDim;
  const actions = new Int32Array(n);
  const observations = new Float32Array(n * obsDim);
  const episodeReturns: number[] = [];
  let simulatorMs = 0;
  let episodeReturn = 0;
  observations.set(env.reset(rng.nextSeed()).obs);
  resetMemories(agents);
  let taken = 0;
  const rolloutSteps = agents[0].config.rolloutSteps;
  while (taken < steps) {
    for (let t = 0; t < rolloutSteps; t++) {
      for (let i = 0; i < n; i++)
        actions[i] = agents[i].act(observations.subarray(i * obsDim, (i + 1) * obsDim));
      const started = performance.now();
      const result = env.step(actions);
      simulatorMs += performance.now() - started;
      const done = episodeOver(result.terminated, result.truncated);
      for (let i = 0; i < n; i++) {
        agents[i].observe(
          observations.subarray(i * obsDim, (i + 1) * obsDim),
          actions[i],
          result.rewards[i],
          done,
        );
        episodeReturn += result.rewards[i] / n;
      }
      taken++;
      if (done) {
        episodeReturns.push(episodeReturn);
        episodeReturn = 0;
        observations.set(env.reset(rng.nextSeed()).obs);
      } else observations.set(result.obs);
    }
    for (let i = 0; i < n; i++) agents[i].endRollout(observations.subarray(i * obsDim, (i + 1) * obsDim));
  }
  return { episodeReturns, simulatorSeconds: simulatorMs / 1000 };
}
