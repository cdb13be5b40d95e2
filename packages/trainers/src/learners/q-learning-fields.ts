import { z } from "zod";

/**
 * The replay Q-learning settings DQN/IQL and QMIX share, with pymarl's defaults (`oxwhirl/pymarl`
 * @ c971afd `src/config/default.yaml`, `algs/iql.yaml`, `algs/qmix.yaml`; spec §5.4). Spread into a
 * learner's `z.object({ … })`. `agent` picks pymarl's recurrent agent trained on whole episodes
 * (`"rnn"`, the default) or the feed-forward agent trained on single transitions (`"mlp"`); the
 * fields marked (rnn) or (mlp) apply to that one only.
 */
export const pymarlQLearningFields = {
  /** `"rnn"`: pymarl's fc–GRU–fc agent on whole episodes (`agent: "rnn"`); `"mlp"`: feed-forward on transitions. */
  agent: z.enum(["rnn", "mlp"]).default("rnn"),
  /** (rnn) Width of the first layer and the GRU state (`rnn_hidden_dim`: 64). */
  rnnHiddenSize: z.number().int().min(1).default(64),
  /** (rnn) Feed the agent its previous action, one-hot (zeros at t = 0) (`obs_last_action`: True). */
  lastActionInput: z.boolean().default(true),
  /** (rnn) Episodes kept in the replay (`buffer_size`: 5000). */
  bufferEpisodes: z.number().int().min(1).default(5_000),
  /** `"rmsprop"` (pymarl's `torch.optim.RMSprop`, `q_learner.py` line 30) or `"adam"`. */
  optimizer: z.enum(["rmsprop", "adam"]).default("rmsprop"),
  /** Step size (`lr`: 0.0005). */
  learningRate: z.number().gt(0).default(5e-4),
  /** RMSprop smoothing α (`optim_alpha`: 0.99). */
  rmspropAlpha: z.number().min(0).lt(1).default(0.99),
  /** RMSprop ε, added to √(square average) (`optim_eps`: 1e-5). */
  rmspropEpsilon: z.number().gt(0).default(1e-5),
  /** Discount γ (`gamma`: 0.99). */
  discount: z.number().min(0).max(1).default(0.99),
  /** Minibatch size: episodes (rnn; `batch_size`: 32) or transitions (mlp), each holding every agent. */
  batchSize: z.number().int().min(1).default(32),
  /** (mlp) Replay capacity in transitions. */
  bufferCapacity: z.number().int().min(1).default(50_000),
  /** (mlp) Environment steps before the first update. (rnn trains once `batchSize` episodes are stored.) */
  learningStarts: z.number().int().min(0).default(1_000),
  /** (mlp) One gradient step every this many environment steps. (rnn: one per finished episode.) */
  trainEvery: z.number().int().min(1).default(1),
  /** Hard target copy every this many episodes (rnn; `target_update_interval`: 200) or gradient steps (mlp). */
  targetUpdateEvery: z.number().int().min(1).default(200),
  /** ε at the start (`epsilon_start`: 1.0) … */
  epsilonStart: z.number().min(0).max(1).default(1),
  /** … decayed linearly to this (`epsilon_finish`: 0.05) … */
  epsilonEnd: z.number().min(0).max(1).default(0.05),
  /** … over this many environment steps (`epsilon_anneal_time`: 50 000). */
  epsilonDecaySteps: z.number().int().min(1).default(50_000),
};
