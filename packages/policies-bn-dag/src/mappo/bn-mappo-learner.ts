/**
 * # BN-MAPPO (Chen & Zhang, ICML 2023 §5–6; spec §3.4–3.5)
 *
 * MAPPO whose actor is a Bayesian-network joint policy: each step a DAG G is drawn (a fixed
 * `dummy` DAG or the learnt `context-aware` one), agents act in a topological order of G and
 * agent i's head sees the one-hot actions of its parents (zeros elsewhere). PPO update, per
 * minibatch: re-sample G′ from the DAG net *with* gradient, mask the **stored** joint actions with
 * it (the SMAC version's estimator of log π_i(a_i | o_i, a_Pa(i)); the CG version re-samples parent
 * actions instead — spec §3.4 explains the choice), clipped surrogate + entropy, plus the density
 * regulariser α·|ρ(G′) − η| when annealing; one Adam over actor and DAG net, a separate Adam for
 * the critic.
 *
 * Defaults: BNPG `BN_MAPPO_Coordination_Game/onpolicy` (commit b7cf8b2) — `train_coordination_game.py`
 * (lr = critic lr = 7e-4, Adam ε 1e-5, 5 PPO epochs, 32 rollout threads × 25 steps = 800 steps per
 * update), `config.py` (clip 0.2, entropy 0.01, value coefficient 1, Huber δ 10, clipped value
 * loss, max grad norm 10, γ 0.99, GAE λ 0.95, 1 minibatch, hidden 64 × (1 + layer_N 1),
 * LayerNorm + orthogonal init, `use_popart` True = `utils/popart.py`, a target normaliser without
 * output rescaling, updated at both of its calls in `cal_value_loss`), `use_proper_time_limits`
 * False (a time-limit cut is terminal); the actor sees no agent id (one head per agent instead).
 * DAG net: `ProbabilisticDAG(hidden 64, τ 1, hard)`, the Aloha version's per-sample edge MLP.
 * Annealing: `BN_MAPPO_SMAC/.../smac_runner.py` (α₀ 0.1 and target 1 as on 6h_vs_8z, num_decay 40).
 *
 * Deviations, each deliberate: one environment copy (the 32 threads' batch is `rolloutSteps`);
 * at an update G′ is sampled once per stored step and shared by that step's agents (the original
 * samples one per (step, agent) row). The DAG net sees observations only (`act` gets no state):
 * all agents' by default as the Aloha version, agent 0's with `dagInput: "first-agent"` as the CG
 * version; the critic sees the global state.
 */
import {
  type AgentGraph,
  CoordinationGame,
  createRng,
  type EnvSpec,
  type Rng,
  Rng as RngClass,
  type RngState,
} from "@netmarl/envs";
import { Dense, dagDensity, LayerNormMLP, Module } from "@netmarl/graph-nn";
import {
  type ActOptions,
  Adam,
  type AdamState,
  defineAlgorithm,
  encodeModules,
  huberLoss,
  type Learner,
  type LearnerState,
  loadModules,
  type Metrics,
  ppoConfigFields,
  RolloutBuffer,
  type Transition,
  ValueNormalizer,
  type ValueNormalizerState,
} from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { topologicalOrderInto } from "../dag/bayesian-network-dag.js";
import { BnActor } from "./bn-actor.js";
import { ContextAwareDagGenerator, type DagGenerator, DummyDagGenerator } from "./dag-generator.js";
import { densitySchedule } from "./density-annealing.js";
import { exactPriceOfAnarchy } from "./exact-price-of-anarchy.js";

export const bnMappoConfigSchema = z
  .object({
    /** Where G comes from: `dummy` (fixed, edges ~ Bernoulli(threshold)) or the learnt `context-aware` DAG. */
    dag: z.enum(["dummy", "context-aware"]).default("dummy"),
    /** `dummy` only: probability of each edge j → i (j < i); 1 = Fully-correlated, 0 = Uncorrelated (`--threshold`). */
    threshold: z.number().min(0).max(1).default(1),
    /** `context-aware` only: learn the agent order with Gumbel-Sinkhorn (false: P = I, the SMAC version). */
    learnOrder: z.boolean().default(true),
    /**
     * What the context-aware DAG net sees: `all-agents` = every agent's observation concatenated
     * (the Aloha version, `obs_.view(threads, -1)`), `first-agent` = agent 0's observation (the
     * coordination-game version, `inputs_graph[:, 0, :]`, which there is the full state).
     */
    dagInput: z.enum(["all-agents", "first-agent"]).default("all-agents"),
    /** Hidden width of the DAG nets. */
    dagHiddenSize: z.number().int().min(1).default(64),
    /** Density regulariser with the SMAC runner's annealing of η and α (needs `totalEnvSteps`). */
    densityAnnealing: z.boolean().default(false),
    /** α₀ of the density regulariser (`--alpha`). */
    densityWeight: z.number().min(0).default(0.1),
    /** α's final value (1 on 6h_vs_8z, 0.5 on other maps). */
    densityWeightTarget: z.number().min(0).default(1),
    /** num_decay of the annealing schedule. */
    densityDecaySteps: z.number().int().min(1).default(40),
    /** The run's environment steps; the annealing schedule is laid over its updates. */
    totalEnvSteps: z.number().int().min(1).optional(),
    /** Hidden widths of actor trunk and critic (hidden_size 64, layer_N 1). */
    hiddenSizes: z.array(z.number().int().min(1)).min(1).default([64, 64]),
    ...ppoConfigFields,
    /** Adam step of actor + DAG net (`train_coordination_game.py`). */
    learningRate: ppoConfigFields.learningRate.default(7e-4),
    /** Adam step of the critic. */
    criticLearningRate: ppoConfigFields.criticLearningRate.default(7e-4),
    /** Adam ε (`opti_eps`). */
    adamEpsilon: z.number().gt(0).default(1e-5),
    /** Passes over each rollout (`ppo_epoch` 5 in the BN scripts). */
    epochs: ppoConfigFields.epochs.default(5),
    /** Environment steps per update (32 threads × episode length 25 in the original). */
    rolloutSteps: ppoConfigFields.rolloutSteps.default(800),
    /** Value-target normalisation: the fork's `popart` (a running normaliser) or none. */
    valueNormalization: z.enum(["popart", "none"]).default("popart"),
    /** Bootstrap V at time-limit cuts (on-policy `use_proper_time_limits`, default false). */
    useProperTimeLimits: z.boolean().default(false),
    /** Append a one-hot agent id to the actor's input (the CG/Aloha originals do not). */
    agentIdInput: z.boolean().default(false),
    /**
     * Coordination game only: log the exact POA of the current policy (`eval/exact-poa`) every this
     * many updates, as the original's `eval_interval` 5 (0 = never). Uses the game's default ε and γ.
     */
    exactPoaEvery: z.number().int().min(0).default(0),
  })
  .strict();

export type BnMappoConfig = z.output<typeof bnMappoConfigSchema>;

export class BnMappoLearner implements Learner {
  readonly actor: BnActor;
  readonly dagGenerator: DagGenerator;
  private readonly critic: Critic;
  private readonly actorOptimizer: Adam;
  private readonly criticOptimizer: Adam;
  private readonly buffer: RolloutBuffer;
  private readonly normalizer: ValueNormalizer | undefined;
  readonly numAgents: number;
  readonly numActions: number;
  readonly actorInputSize: number;
  readonly dagInputSize: number;
  readonly criticInputSize: number;
  private readonly actions: Int32Array;
  private readonly actorInput: Float32Array;
  private readonly dagInput: Float32Array;
  private readonly criticInput: Float32Array;
  private readonly logProbs: Float32Array;
  private readonly order: Int32Array;
  private readonly inDegree: Int32Array;
  private readonly jointOneHot: Float32Array;
  private readonly headLogits: Float64Array;
  private readonly features: Float32Array;
  /** The critic's raw (normalised-space) outputs per stored step, for the clipped value loss. */
  private readonly rawValues: Float32Array;
  private readonly lastNextState: Float32Array;
  private readonly zeroValues: Float32Array;
  private steps = 0;
  private updates = 0;
  private exactPoaGame: CoordinationGame | undefined;
  /** The last sampled DAG (row-major n × n), for inspection and the viewer. */
  readonly lastAdjacency: Float32Array;

  constructor(
    private readonly spec: EnvSpec,
    private readonly config: BnMappoConfig,
    private rng: Rng,
    /** Replaces the DAG generator the config names (tests, hand-written DAGs). */
    dagGenerator?: DagGenerator,
  ) {
    if (spec.actionSpace.kind !== "discrete")
      throw new RangeError(`bn-mappo: needs a Discrete action space; ${spec.id} has ${spec.actionSpace}`);
    if (config.exactPoaEvery > 0 && !spec.id.startsWith("coordination-game"))
      throw new RangeError(
        `bn-mappo config: exactPoaEvery = ${config.exactPoaEvery} needs the coordination game; the environment is ${spec.id}`,
      );
    if (config.densityAnnealing && config.totalEnvSteps === undefined)
      throw new RangeError(
        "bn-mappo config: densityAnnealing = true needs totalEnvSteps (the run's length) for its schedule",
      );
    const n = spec.numAgents;
    this.numAgents = n;
    this.numActions = spec.actionSpace.n;
    this.actorInputSize = spec.obsDim + (config.agentIdInput ? n : 0);
    // the first dagInputSize entries of the flat N × obsDim observations, for both choices
    this.dagInputSize = config.dagInput === "first-agent" ? spec.obsDim : n * spec.obsDim;
    this.criticInputSize = spec.stateDim > 0 ? spec.stateDim : n * spec.obsDim;
    this.actor = new BnActor(
      {
        numAgents: n,
        numActions: this.numActions,
        inputSize: this.actorInputSize,
        hiddenSizes: config.hiddenSizes,
      },
      rng.fork("actor"),
    );
    this.dagGenerator =
      dagGenerator ??
      (config.dag === "dummy"
        ? new DummyDagGenerator(n, config.threshold)
        : new ContextAwareDagGenerator(
            {
              numAgents: n,
              inputSize: this.dagInputSize,
              hiddenSize: config.dagHiddenSize,
              learnOrder: config.learnOrder,
            },
            rng.fork("dag"),
          ));
    this.critic = new Critic(this.criticInputSize, config.hiddenSizes, rng.fork("critic"));
    const actorVariables = [
      ...this.actor.trainableVariables(),
      ...(this.dagGenerator.module?.trainableVariables() ?? []),
    ];
    this.actorOptimizer = new Adam(actorVariables, {
      learningRate: config.learningRate,
      epsilon: config.adamEpsilon,
      maxGradNorm: config.maxGradNorm,
    });
    this.criticOptimizer = new Adam(this.critic.trainableVariables(), {
      learningRate: config.criticLearningRate,
      epsilon: config.adamEpsilon,
      maxGradNorm: config.maxGradNorm,
    });
    this.normalizer = config.valueNormalization === "popart" ? new ValueNormalizer() : undefined;
    this.buffer = new RolloutBuffer({
      steps: config.rolloutSteps,
      numEnvs: 1,
      numAgents: n,
      obsDim: spec.obsDim,
      actionSize: 1,
      stateDim: this.criticInputSize,
    });
    this.actions = new Int32Array(n);
    this.actorInput = new Float32Array(n * this.actorInputSize);
    this.dagInput = new Float32Array(this.dagInputSize);
    this.criticInput = new Float32Array(this.criticInputSize);
    this.logProbs = new Float32Array(n);
    this.order = new Int32Array(n);
    this.inDegree = new Int32Array(n);
    this.jointOneHot = new Float32Array(n * this.numActions);
    this.headLogits = new Float64Array(this.numActions);
    this.features = new Float32Array(n * this.actor.featureSize);
    this.rawValues = new Float32Array(config.rolloutSteps);
    this.lastNextState = new Float32Array(this.criticInputSize);
    this.zeroValues = new Float32Array(n);
    this.lastAdjacency = new Float32Array(n * n);
  }

  /**
   * The DAG the last `act` sampled (greedy: the deterministic one): `[parent · N + child]` is 1 for
   * an edge. A view, rewritten by the next `act` (for replays' parent overlays).
   */
  lastDag(): Float32Array {
    return this.lastAdjacency;
  }

  act(observations: Float32Array, _graph: AgentGraph, options: ActOptions): Int32Array {
    const n = this.numAgents;
    const A = this.numActions;
    this.dagInput.set(observations.subarray(0, this.dagInputSize));
    this.writeActorInput(observations, 1, this.actorInput);
    const noise = options.explore ? createRng(this.rng.nextSeed()) : undefined;
    const adjacency = this.dagGenerator.sampleOne(this.dagInput, noise, this.lastAdjacency);
    const features = this.actor.featuresInto(this.actorInput, this.features);
    if (!topologicalOrderInto(adjacency, 0, n, this.order, this.inDegree))
      throw new Error(
        "bn-mappo: the DAG generator produced a cycle (a bug: G = U ⊙ PᵀMP is acyclic by construction)",
      );
    this.jointOneHot.fill(0);
    for (let k = 0; k < n; k++) {
      const agent = this.order[k];
      this.actor.headLogitsInto(
        agent,
        features,
        agent * this.actor.featureSize,
        this.jointOneHot,
        adjacency,
        0,
        this.headLogits,
      );
      const logNormaliser = logSumExp(this.headLogits);
      let action = 0;
      if (options.explore) {
        let u = this.rng.uniform();
        action = A - 1;
        for (let a = 0; a < A; a++) {
          u -= Math.exp(this.headLogits[a] - logNormaliser);
          if (u < 0) {
            action = a;
            break;
          }
        }
      } else {
        for (let a = 1; a < A; a++) if (this.headLogits[a] > this.headLogits[action]) action = a;
      }
      this.actions[agent] = action;
      this.logProbs[agent] = this.headLogits[action] - logNormaliser;
      this.jointOneHot[agent * A + action] = 1;
    }
    return this.actions;
  }

  observe(t: Transition): void {
    const n = this.numAgents;
    // values are filled in at the update, for the whole rollout in one forward pass
    this.writeCriticInput(t.obs, t.state, this.criticInput);
    let truncationValues: Float32Array | undefined;
    if (
      this.config.useProperTimeLimits &&
      t.truncated.some((flag, i) => flag === 1 && t.terminated[i] === 0)
    ) {
      const next = new Float32Array(this.criticInputSize);
      this.writeCriticInput(t.nextObs, t.nextState, next);
      truncationValues = new Float32Array(n).fill(this.denormalise(this.critic.values(next, 1)[0]));
    }
    this.buffer.add({
      obs: t.obs,
      state: this.criticInput,
      actions: t.actions,
      logProbs: this.logProbs,
      values: this.zeroValues,
      rewards: t.rewards,
      terminated: t.terminated,
      truncated: t.truncated,
      truncationValues,
    });
    this.writeCriticInput(t.nextObs, t.nextState, this.lastNextState);
    this.steps++;
  }

  update(): Metrics {
    if (!this.buffer.full) return {};
    const { config } = this;
    const n = this.numAgents;
    const T = this.buffer.steps;
    // V of every stored step and of the bootstrap state in one pass (the weights did not change
    // during the rollout, so this equals the original's per-step values)
    const criticInputs = new Float32Array((T + 1) * this.criticInputSize);
    criticInputs.set(this.buffer.globalState.subarray(0, T * this.criticInputSize));
    criticInputs.set(this.lastNextState, T * this.criticInputSize);
    const raw = this.critic.values(criticInputs, T + 1);
    this.rawValues.set(raw.subarray(0, T));
    for (let t = 0; t < T; t++) this.buffer.values.fill(this.denormalise(raw[t]), t * n, (t + 1) * n);
    const last = this.denormalise(raw[T]);
    this.buffer.computeAdvantages(new Float32Array(n).fill(last), config.discount, config.gaeLambda);
    const schedule =
      config.densityAnnealing && config.totalEnvSteps !== undefined
        ? densitySchedule(this.updates, Math.max(1, Math.floor(config.totalEnvSteps / T)), {
            initialWeight: config.densityWeight,
            targetWeight: config.densityWeightTarget,
            numDecay: config.densityDecaySteps,
          })
        : undefined;

    const actorInputs = new Float32Array(T * n * this.actorInputSize);
    this.writeActorInput(this.buffer.obs, T, actorInputs);
    const advantages = normaliseAdvantages(this.buffer.advantages);
    // per-step critic targets (every agent shares the team value)
    const returns = Float32Array.from({ length: T }, (_, t) => this.buffer.returns[t * n]);
    const order = Int32Array.from({ length: T }, (_, i) => i);
    const batchSize = Math.floor(T / config.numMiniBatches);
    const totals = {
      policy: 0,
      value: 0,
      entropy: 0,
      density: 0,
      openRatio: 0,
      clipFraction: 0,
      approxKl: 0,
    };
    let passes = 0;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      this.rng.shuffle(order);
      for (let m = 0; m < config.numMiniBatches; m++) {
        const steps = order.subarray(m * batchSize, (m + 1) * batchSize);
        const result = this.trainMinibatch(steps, actorInputs, advantages, returns, schedule);
        for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += result[key];
        passes++;
      }
    }
    this.actor.invalidateCache();
    this.dagGenerator.invalidateCache();
    this.buffer.clear();
    this.updates++;
    const metrics: Metrics = {
      "loss/policy": totals.policy / passes,
      "loss/value": totals.value / passes,
      "loss/entropy": totals.entropy / passes,
      "dag/open-ratio": totals.openRatio / passes,
      "ppo/clip-fraction": totals.clipFraction / passes,
      "ppo/approx-kl": totals.approxKl / passes,
    };
    if (config.exactPoaEvery > 0 && this.updates % config.exactPoaEvery === 0) {
      this.exactPoaGame ??= new CoordinationGame({ numAgents: n });
      metrics["eval/exact-poa"] = exactPriceOfAnarchy(this, this.exactPoaGame);
    }
    if (schedule) {
      metrics["loss/density"] = totals.density / passes;
      metrics["dag/threshold"] = schedule.threshold;
      metrics["dag/density-weight"] = schedule.weight;
    }
    return metrics;
  }

  state(): LearnerState {
    const modules: Record<string, Module> = { actor: this.actor, critic: this.critic };
    if (this.dagGenerator.module) modules.dag = this.dagGenerator.module;
    return {
      algorithm: "bn-mappo",
      steps: this.steps,
      updates: this.updates,
      rng: this.rng.getState(),
      ...encodeModules(modules),
      actorOptimizer: this.actorOptimizer.getState(),
      criticOptimizer: this.criticOptimizer.getState(),
      buffer: this.buffer.state(),
      logProbs: Float32Array.from(this.logProbs),
      normalizer: this.normalizer?.state() ?? null,
      lastNextState: Float32Array.from(this.lastNextState),
    };
  }

  load(state: LearnerState): void {
    if (state.algorithm !== "bn-mappo")
      throw new RangeError(`bn-mappo.load: the state is of "${state.algorithm}"`);
    const modules: Record<string, Module> = { actor: this.actor, critic: this.critic };
    if (this.dagGenerator.module) modules.dag = this.dagGenerator.module;
    loadModules(state, modules, "bn-mappo.load");
    this.actor.invalidateCache();
    this.dagGenerator.invalidateCache();
    this.actorOptimizer.setState(state.actorOptimizer as AdamState);
    this.criticOptimizer.setState(state.criticOptimizer as AdamState);
    this.buffer.load(state.buffer as Parameters<RolloutBuffer["load"]>[0]);
    this.logProbs.set(state.logProbs as Float32Array);
    if (this.normalizer) this.normalizer.load(state.normalizer as ValueNormalizerState);
    this.lastNextState.set(state.lastNextState as Float32Array);
    this.rng = RngClass.fromState(state.rng as RngState);
    this.steps = state.steps as number;
    this.updates = state.updates as number;
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
    this.dagGenerator.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }

  /** Trunk features and deterministic DAGs for `rows` joint observations, for exact evaluation. */
  inspect(observations: Float32Array, rows: number): { features: Float32Array; adjacency: Float32Array } {
    const inputs = new Float32Array(rows * this.numAgents * this.actorInputSize);
    this.writeActorInput(observations, rows, inputs);
    const dagInputs = new Float32Array(rows * this.dagInputSize);
    const stride = this.numAgents * this.spec.obsDim;
    for (let row = 0; row < rows; row++)
      dagInputs.set(
        observations.subarray(row * stride, row * stride + this.dagInputSize),
        row * this.dagInputSize,
      );
    return tf.tidy(() => ({
      features: this.actor.trunk
        .apply(tf.tensor2d(inputs, [rows * this.numAgents, this.actorInputSize]))
        .dataSync() as Float32Array,
      adjacency: this.dagGenerator
        .sample(tf.tensor2d(dagInputs, [rows, this.dagInputSize]), undefined)
        .dataSync() as Float32Array,
    }));
  }

  private trainMinibatch(
    steps: Int32Array,
    actorInputs: Float32Array,
    advantages: Float32Array,
    returns: Float32Array,
    schedule: { threshold: number; weight: number } | undefined,
  ) {
    const { config } = this;
    const n = this.numAgents;
    const A = this.numActions;
    const B = steps.length;
    const rowsPerStep = n * this.actorInputSize;
    const inputs = new Float32Array(B * rowsPerStep);
    const dagInputs = new Float32Array(B * this.dagInputSize);
    const criticInputs = new Float32Array(B * this.criticInputSize);
    const obsPerStep = n * this.spec.obsDim;
    const actionIndex = new Int32Array(B * n);
    const oldLogProb = new Float32Array(n * B);
    const advantage = new Float32Array(n * B);
    const stepReturns = new Float32Array(B);
    const oldValues = new Float32Array(B);
    steps.forEach((t, b) => {
      inputs.set(actorInputs.subarray(t * rowsPerStep, (t + 1) * rowsPerStep), b * rowsPerStep);
      dagInputs.set(
        this.buffer.obs.subarray(t * obsPerStep, t * obsPerStep + this.dagInputSize),
        b * this.dagInputSize,
      );
      criticInputs.set(
        this.buffer.globalState.subarray(t * this.criticInputSize, (t + 1) * this.criticInputSize),
        b * this.criticInputSize,
      );
      for (let agent = 0; agent < n; agent++) {
        actionIndex[b * n + agent] = this.buffer.actions[t * n + agent];
        oldLogProb[agent * B + b] = this.buffer.logProbs[t * n + agent];
        advantage[agent * B + b] = advantages[t * n + agent];
      }
      stepReturns[b] = returns[t];
      oldValues[b] = this.rawValues[t];
    });
    // the fork's PopArt is called — and updated — twice per minibatch in `cal_value_loss`: first
    // for the clipped error, then for the plain one (each normalising with the stats of that moment)
    let clippedTargets: Float32Array = stepReturns;
    let targets: Float32Array = stepReturns;
    if (this.normalizer) {
      this.normalizer.update(stepReturns);
      clippedTargets = this.normalizer.normalise(stepReturns);
      if (config.clipValueLoss) this.normalizer.update(stepReturns);
      targets = this.normalizer.normalise(stepReturns);
    }
    const noise = createRng(this.rng.nextSeed());
    const kept: tf.Tensor[] = [];
    const data = tf.tidy(() => ({
      x: tf.tensor2d(inputs, [B * n, this.actorInputSize]),
      dagX: tf.tensor2d(dagInputs, [B, this.dagInputSize]),
      oneHot: tf.cast(tf.oneHot(tf.tensor2d(actionIndex, [B, n], "int32"), A), "float32") as tf.Tensor3D,
      oldLogProb: tf.tensor2d(oldLogProb, [n, B]),
      advantage: tf.tensor2d(advantage, [n, B]),
      targets: tf.tensor1d(targets),
      clippedTargets: tf.tensor1d(clippedTargets),
      oldValues: tf.tensor1d(oldValues),
      critic: tf.tensor2d(criticInputs, [B, this.criticInputSize]),
    }));
    const policy = this.actorOptimizer.minimize(() => {
      const adjacency = this.dagGenerator.sample(data.dagX, noise); // [B, parent, child]
      const childParent = tf.transpose(adjacency, [0, 2, 1]); // [B, child, parent]
      const parentActions = tf.reshape(tf.mul(tf.expandDims(childParent, 3), tf.expandDims(data.oneHot, 1)), [
        B,
        n,
        n * A,
      ]) as tf.Tensor3D;
      const logProbs = tf.logSoftmax(this.actor.logits(data.x, parentActions)); // [n, B, A]
      const logProb = tf.sum(tf.mul(logProbs, tf.transpose(data.oneHot, [1, 0, 2])), 2); // [n, B]
      const ratio = tf.exp(tf.sub(logProb, data.oldLogProb));
      const clipped = tf.clipByValue(ratio, 1 - config.clipRatio, 1 + config.clipRatio);
      const surrogate = tf.minimum(tf.mul(ratio, data.advantage), tf.mul(clipped, data.advantage));
      const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 2)));
      const openRatio = dagDensity(adjacency);
      const density = schedule
        ? tf.mul(tf.abs(tf.sub(openRatio, schedule.threshold)), schedule.weight)
        : tf.scalar(0);
      const clipFraction = tf.mean(
        tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), config.clipRatio), "float32"),
      );
      const approxKl = tf.mean(tf.sub(data.oldLogProb, logProb));
      kept.push(tf.keep(tf.stack([entropy, density, openRatio, clipFraction, approxKl])));
      return tf.add(tf.sub(tf.neg(tf.mean(surrogate)), tf.mul(entropy, config.entropyCoefficient)), density);
    });
    const value = this.criticOptimizer.minimize(() => {
      const v = this.critic.apply(data.critic);
      const loss = huberLoss(tf.sub(data.targets, v), config.huberDelta);
      if (!config.clipValueLoss) return tf.mul(tf.mean(loss), config.valueLossCoefficient);
      const vClipped = tf.add(
        data.oldValues,
        tf.clipByValue(tf.sub(v, data.oldValues), -config.clipRatio, config.clipRatio),
      );
      const lossClipped = huberLoss(tf.sub(data.clippedTargets, vClipped), config.huberDelta);
      return tf.mul(tf.mean(tf.maximum(loss, lossClipped)), config.valueLossCoefficient);
    });
    const [entropy, density, openRatio, clipFraction, approxKl] = kept[0].dataSync();
    tf.dispose([...kept, ...Object.values(data)]);
    return { policy: policy.loss, value: value.loss, entropy, density, openRatio, clipFraction, approxKl };
  }

  private denormalise(raw: number): number {
    if (!this.normalizer) return raw;
    const { mean, variance } = this.normalizer.statistics();
    return raw * Math.sqrt(variance) + mean;
  }

  /** The critic's input: the global state, or every agent's observation. */
  private writeCriticInput(
    observations: Float32Array,
    state: Float32Array | undefined,
    out: Float32Array,
  ): void {
    if (this.spec.stateDim > 0 && state) out.set(state.subarray(0, this.spec.stateDim));
    else if (this.spec.stateDim > 0)
      throw new RangeError(`bn-mappo: ${this.spec.id} declares a global state but the transition has none`);
    else out.set(observations.subarray(0, this.numAgents * this.spec.obsDim));
  }

  /** [rows × N × obsDim] → actor inputs [rows × N × inputSize] (+ one-hot agent id when configured). */
  private writeActorInput(observations: Float32Array, rows: number, out: Float32Array): void {
    const { obsDim } = this.spec;
    const n = this.numAgents;
    for (let row = 0; row < rows * n; row++) {
      const base = row * this.actorInputSize;
      out.set(observations.subarray(row * obsDim, (row + 1) * obsDim), base);
      if (this.config.agentIdInput) {
        out.fill(0, base + obsDim, base + this.actorInputSize);
        out[base + obsDim + (row % n)] = 1;
      }
    }
  }
}

/** on-policy's `R_Critic`: MLPBase on the centralised input → Linear(64, 1) (orthogonal, gain 1). */
class Critic extends Module {
  readonly base: LayerNormMLP;
  readonly head: Dense;

  constructor(inputSize: number, hiddenSizes: readonly number[], rng: Rng) {
    super();
    this.base = this.addChild("base", new LayerNormMLP({ inputSize, hiddenSizes }, rng.fork("base")));
    this.head = this.addChild(
      "head",
      new Dense(
        { inputSize: this.base.outputSize, outputSize: 1, initializer: "orthogonal", gain: 1 },
        rng.fork("head"),
      ),
    );
  }

  apply(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.squeeze(this.head.apply(this.base.apply(x)), [1]) as tf.Tensor1D);
  }

  values(inputs: Float32Array, rows: number): Float32Array {
    return tf.tidy(
      () => this.apply(tf.tensor2d(inputs, [rows, inputs.length / rows])).dataSync() as Float32Array,
    );
  }
}

/** (A − mean)/(std + 1e-5) over the rollout (`r_mappo.py::train`). */
function normaliseAdvantages(values: Float32Array): Float32Array {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  const std = Math.sqrt(variance / values.length);
  return Float32Array.from(values, (v) => (v - mean) / (std + 1e-5));
}

function logSumExp(values: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) max = Math.max(max, v);
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

export const bnMappoAlgorithm = defineAlgorithm({
  id: "bn-mappo",
  description:
    "BN-MAPPO (Chen & Zhang 2023): MAPPO with a Bayesian-network actor — agents act in a DAG's order on their parents' actions; fixed (dummy) or context-aware DAG with density annealing.",
  configSchema: bnMappoConfigSchema,
  create: (envSpec, config, rng) => new BnMappoLearner(envSpec, config, rng),
});
