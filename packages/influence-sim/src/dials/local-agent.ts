/**
 * One DIALS agent as a worker owns it: its influence-augmented local simulator (the env's
 * `LocalSimulator` driven by the agent's AIP), its AIP with its Adam, and its PPO agent.
 *
 * Local training (`trainer.py` `train_single_agent`, lines 8–37): the local simulator restarts at
 * every call (`env.reset(restart=True)`), then whole rollouts until `steps` actions are taken; at
 * each step the AIP predicts the sources from the current d-set, one value per source is sampled,
 * and the local simulator steps with the agent's action and those values. The GRU AIP's state is
 * reset with every episode (`LocalTraffic.reset` → `influence.reset()`, `local_traffic.py` line 87).
 *
 * The AIP is trained *here*, in place, so the trained weights are the ones the local simulator
 * samples from — the original trains a pickled copy in a Pool and drops it (spec §4.5).
 *
 * Every random draw comes from streams forked from the agent's own Rng, so an agent computes the
 * same numbers whichever worker owns it.
 */
import {
  createRng,
  type LocalSimulator,
  type LocalView,
  type MultiAgentEnv,
  Rng,
  type RngState,
} from "@netmarl/envs";
import type { NamedWeight } from "@netmarl/graph-nn";
import { Adam, type AdamState } from "@netmarl/trainers";
import type { InfluenceDataset } from "../influence/influence-dataset.js";
import { InfluencePredictor, sampleInfluence } from "../influence/influence-predictor.js";
import {
  type InfluenceTrainingReport,
  trainInfluencePredictor,
} from "../influence/train-influence-predictor.js";
import { PpoAgent, type PpoAgentState } from "../ppo/ppo-agent.js";
import {
  createDialsEnvironment,
  type DialsConfig,
  type DialsEnvironment,
  resolveDomainSettings,
  resolvePpoConfig,
} from "./dials-config.js";

/** What a worker returns after local training, and what a checkpoint stores per agent. */
export interface LocalAgentState {
  agent: number;
  ppo: PpoAgentState;
  predictor: NamedWeight[];
  predictorOptimizer: AdamState;
  samplingRng: RngState;
  influenceTrainingRng: RngState;
  simulatorSeedRng: RngState;
}

/** Results of one local training call. */
export interface LocalTrainingReport {
  /** Returns of the local episodes that ended during the call. */
  episodeReturns: number[];
  /** Seconds of compute for this agent. */
  seconds: number;
  /** Seconds inside the local simulator's `step` (for the local vs global step cost). */
  simulatorSeconds: number;
  steps: number;
}

/** The agent's stream: the run seed's `agents` stream forked by agent index. */
export function agentRng(seed: number, agent: number): Rng {
  return createRng(seed).fork("agents").fork(agent);
}

export class LocalAgent {
  readonly agent: number;
  readonly ppo: PpoAgent;
  readonly predictor: InfluencePredictor;
  private readonly predictorOptimizer: Adam;
  private readonly simulator: LocalSimulator;
  private readonly trainingOptions: { epochs: number; batchSize: number };
  private samplingRng: Rng;
  private influenceTrainingRng: Rng;
  private simulatorSeedRng: Rng;
  private readonly probabilities: Float32Array;
  private readonly sources: Int32Array;
  private readonly dset: Float32Array;
  private readonly action = new Int32Array(1);
  private readonly observation: Float32Array;

  /**
   * `env` is the global environment the agent's region is cut from (only its LocalView is used;
   * a group of agents shares one); built from `environment` when not given.
   */
  constructor(
    environment: DialsEnvironment,
    agent: number,
    config: DialsConfig,
    seed: number,
    env: MultiAgentEnv & LocalView = createDialsEnvironment(environment, createRng(seed).fork("global-env")),
  ) {
    const rng = agentRng(seed, agent);
    const settings = resolveDomainSettings(environment, config);
    this.agent = agent;
    this.simulator = env.createLocalSimulator(agent, rng.fork("local-simulator"));
    const influence = this.simulator.influenceSpec;
    this.predictor = new InfluencePredictor(
      {
        inputSize: env.localStateDim,
        numSources: influence.numSources,
        numValues: influence.numValues,
        hiddenSize: settings.hiddenSize,
        recurrent: settings.recurrentPredictor,
      },
      rng.fork("predictor"),
    );
    this.predictorOptimizer = new Adam(this.predictor.trainableVariables(), {
      learningRate: settings.learningRate,
    });
    this.trainingOptions = { epochs: settings.epochs, batchSize: settings.batchSize };
    const spec = this.simulator.spec;
    if (spec.actionSpace.kind !== "discrete") {
      throw new TypeError(`DIALS: ${spec.id} has a ${spec.actionSpace.kind} action space; expected discrete`);
    }
    this.ppo = new PpoAgent(
      spec.obsDim,
      spec.actionSpace.n,
      resolvePpoConfig(environment, config),
      rng.fork("ppo"),
    );
    this.samplingRng = rng.fork("influence-sampling");
    this.influenceTrainingRng = rng.fork("influence-training");
    this.simulatorSeedRng = rng.fork("local-simulator-seeds");
    this.probabilities = new Float32Array(influence.numSources * influence.numValues);
    this.sources = new Int32Array(influence.numSources);
    this.dset = new Float32Array(env.localStateDim);
    this.observation = new Float32Array(spec.obsDim);
  }

  /** Retrains the AIP in place on a fresh dataset (warm start). */
  trainInfluence(dataset: InfluenceDataset): InfluenceTrainingReport {
    return trainInfluencePredictor(
      this.predictor,
      this.predictorOptimizer,
      dataset,
      this.trainingOptions,
      this.influenceTrainingRng,
    );
  }

  /** PPO for `steps` actions (whole rollouts) in the influence-augmented local simulator. */
  train(steps: number): LocalTrainingReport {
    const started = performance.now();
    let simulatorMs = 0;
    const episodeReturns: number[] = [];
    const { numValues } = this.simulator.influenceSpec;
    this.observation.set(this.simulator.reset(this.simulatorSeedRng.nextSeed()).obs);
    this.predictor.resetState();
    this.ppo.resetMemory();
    let episodeReturn = 0;
    let taken = 0;
    while (taken < steps) {
      for (let t = 0; t < this.ppo.config.rolloutSteps; t++) {
        const action = this.ppo.act(this.observation);
        this.action[0] = action;
        this.predictor.predict(this.simulator.localState(this.dset), this.probabilities);
        sampleInfluence(this.probabilities, numValues, this.samplingRng, this.sources);
        const stepStarted = performance.now();
        const result = this.simulator.step(this.action, this.sources);
        simulatorMs += performance.now() - stepStarted;
        const done = result.terminated[0] === 1 || result.truncated[0] === 1;
        this.ppo.observe(this.observation, action, result.rewards[0], done);
        episodeReturn += result.rewards[0];
        taken++;
        if (done) {
          episodeReturns.push(episodeReturn);
          episodeReturn = 0;
          this.observation.set(this.simulator.reset(this.simulatorSeedRng.nextSeed()).obs);
          this.predictor.resetState();
        } else this.observation.set(result.obs);
      }
      this.ppo.endRollout(this.observation);
    }
    return {
      episodeReturns,
      seconds: (performance.now() - started) / 1000,
      simulatorSeconds: simulatorMs / 1000,
      steps: taken,
    };
  }

  state(): LocalAgentState {
    return {
      agent: this.agent,
      ppo: this.ppo.state(),
      predictor: this.predictor.getWeights(),
      predictorOptimizer: this.predictorOptimizer.getState(),
      samplingRng: this.samplingRng.getState(),
      influenceTrainingRng: this.influenceTrainingRng.getState(),
      simulatorSeedRng: this.simulatorSeedRng.getState(),
    };
  }

  load(state: LocalAgentState): void {
    if (state.agent !== this.agent) {
      throw new RangeError(
        `LocalAgent.load: the state is agent ${state.agent}'s; this is agent ${this.agent}`,
      );
    }
    this.ppo.load(state.ppo);
    this.predictor.setWeights(state.predictor);
    this.predictorOptimizer.setState(state.predictorOptimizer);
    this.samplingRng = Rng.fromState(state.samplingRng);
    this.influenceTrainingRng = Rng.fromState(state.influenceTrainingRng);
    this.simulatorSeedRng = Rng.fromState(state.simulatorSeedRng);
  }

  dispose(): void {
    this.ppo.dispose();
    this.predictorOptimizer.dispose();
    this.predictor.dispose();
  }
}
