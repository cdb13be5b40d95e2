/**
 * `RecordEpisode` writes a replay (`replay-format.ts`) of every episode the wrapped env plays:
 * header and scene at the first reset, a frame at each reset and every `recordEvery` steps (and
 * the last step), the env graph whenever it changed, the caller's overlay graphs, and an
 * `episode-end` with the returns. It only reads the env (never its random stream), so a wrapped
 * run is step for step the unwrapped one.
 */
import {
  type Actions,
  isEpisodeOver,
  type MultiAgentEnv,
  type ResetResult,
  type StepResult,
} from "../env/multi-agent-env.js";
import { packArray } from "../replay/packed-array.js";
import { encodeReplayRecord } from "../replay/parse-replay.js";
import { ReplayFileSink, type ReplaySink } from "../replay/replay-file-sink.js";
import {
  REPLAY_FORMAT,
  REPLAY_VERSION,
  type ReplayFamily,
  type ReplayFrame,
  type ReplayGraph,
  type ReplayHeader,
  type ReplayRecord,
} from "../replay/replay-format.js";
import { sameReplayGraph, toReplayGraph } from "../replay/replay-graph.js";
import { isReplayableEnv, type ReplayableEnv } from "../replay/replayable.js";
import { EnvWrapper, findInWrappedEnvs } from "./env-wrapper.js";

/** When an overlay is asked for: the episode and the env steps since its reset. */
export interface OverlayContext {
  readonly episode: number;
  readonly t: number;
}

export interface RecordEpisodeOptions {
  /** File to write (created or truncated); give this or `sink`. `.gz` → gzip. */
  path?: string;
  /** Where lines go instead of a file (tests, custom transports). */
  sink?: ReplaySink;
  /** A frame every k env steps (the reset state and an episode's last step always). Default 1. */
  recordEvery?: number;
  /** Also store the observations in each frame (numAgents × obsDim float32). Default false. */
  recordObservations?: boolean;
  /**
   * Extra graphs drawn over the scene (LToS sharing weights, BN-DAG parents …), asked for at each
   * recorded frame after the env's own; an overlay is written only when it changed.
   */
  overlays?: (context: OverlayContext) => Readonly<Record<string, ReplayGraph>> | undefined;
  /** Registry id for the header (default `spec.id`). */
  envId?: string;
  /** Options for the header (default: the env's own, after defaults). */
  envOptions?: Record<string, unknown>;
  /** Who acts, for the header. */
  policy?: { algorithm: string; label?: string };
  agentLabels?: readonly string[];
  /** Producer name in the header (default `@netmarl/envs RecordEpisode`). */
  createdBy?: string;
}

/** The env graph's overlay name. */
export const ENV_GRAPH_OVERLAY = "env";

export class RecordEpisode extends EnvWrapper {
  private readonly source: ReplayableEnv;
  private readonly sink: ReplaySink;
  private readonly recordEvery: number;
  private readonly options: RecordEpisodeOptions;
  private readonly returns: Float64Array;
  private readonly lastGraphs = new Map<string, ReplayGraph>();
  private wroteHeader = false;
  private episode = -1;
  private t = 0;
  private episodeOpen = false;
  private closed = false;

  constructor(env: MultiAgentEnv, options: RecordEpisodeOptions) {
    super(env);
    const source = findInWrappedEnvs(env, (candidate) =>
      isReplayableEnv(candidate) ? candidate : undefined,
    );
    if (source === undefined) {
      throw new TypeError(
        `RecordEpisode: ${env.spec.id} cannot be recorded (it has no replayScene/replayState/replayOptions)`,
      );
    }
    const every = options.recordEvery ?? 1;
    if (!Number.isInteger(every) || every < 1) {
      throw new RangeError(`RecordEpisode: recordEvery = ${every}; expected a positive integer`);
    }
    if ((options.path === undefined) === (options.sink === undefined)) {
      throw new TypeError("RecordEpisode: give exactly one of path (a file) or sink");
    }
    this.source = source;
    this.options = options;
    this.recordEvery = every;
    this.sink = options.sink ?? new ReplayFileSink(options.path as string);
    this.returns = new Float64Array(env.spec.numAgents);
  }

  override reset(seed?: number): ResetResult {
    this.assertOpen("reset");
    const result = this.env.reset(seed);
    if (this.episodeOpen) this.writeEpisodeEnd();
    if (!this.wroteHeader) {
      const scene = this.source.replayScene();
      this.write(this.header(seed, scene.family));
      this.write(scene);
      this.wroteHeader = true;
    }
    this.episode++;
    this.t = 0;
    this.returns.fill(0);
    this.episodeOpen = true;
    this.lastGraphs.clear(); // each episode starts with its full set of graphs
    this.writeFrame(result, undefined);
    return result;
  }

  override step(actions: Actions): StepResult {
    this.assertOpen("step");
    const result = this.env.step(actions);
    this.t++;
    for (let i = 0; i < this.returns.length; i++) this.returns[i] += result.rewards[i];
    const over = isEpisodeOver(result);
    if (over || this.t % this.recordEvery === 0) this.writeFrame(result, actions);
    if (over) this.writeEpisodeEnd();
    return result;
  }

  /** Ends the replay (an unfinished episode gets its `episode-end`) and closes the env. */
  override close(): void {
    if (!this.closed) {
      if (this.episodeOpen) this.writeEpisodeEnd();
      this.sink.close();
      this.closed = true;
    }
    super.close();
  }

  private header(seed: number | undefined, family: ReplayFamily): ReplayHeader {
    const spec = this.env.spec;
    const o = this.options;
    return {
      kind: "header",
      format: REPLAY_FORMAT,
      version: REPLAY_VERSION,
      family,
      env: o.envId ?? spec.id,
      envOptions: o.envOptions ?? this.source.replayOptions(),
      numAgents: spec.numAgents,
      obsDim: spec.obsDim,
      ...(seed !== undefined ? { seed } : {}),
      ...(o.policy !== undefined ? { policy: o.policy } : {}),
      recordEvery: this.recordEvery,
      ...(o.agentLabels !== undefined ? { agentLabels: o.agentLabels } : {}),
      createdBy: o.createdBy ?? "@netmarl/envs RecordEpisode",
      createdAt: new Date().toISOString(),
    };
  }

  private writeFrame(result: ResetResult, actions: Actions | undefined): void {
    const graphs: Record<string, ReplayGraph> = {};
    let anyGraph = false;
    const offer = (name: string, graph: ReplayGraph) => {
      if (sameReplayGraph(this.lastGraphs.get(name), graph)) return;
      this.lastGraphs.set(name, graph);
      graphs[name] = graph;
      anyGraph = true;
    };
    offer(ENV_GRAPH_OVERLAY, toReplayGraph(this.env.graph(), "neighbours"));
    const overlays = this.options.overlays?.({ episode: this.episode, t: this.t });
    for (const [name, graph] of Object.entries(overlays ?? {})) offer(name, graph);
    const frame: ReplayFrame = {
      kind: "frame",
      episode: this.episode,
      t: this.t,
      state: this.source.replayState(),
      ...(actions !== undefined
        ? { actions: packActions(actions, this.env.spec.actionSpace.size * this.env.spec.numAgents) }
        : {}),
      ...("rewards" in result ? { rewards: packArray((result as StepResult).rewards) } : {}),
      ...(this.options.recordObservations ? { obs: packArray(result.obs) } : {}),
      ...(anyGraph ? { graphs } : {}),
    };
    this.write(frame);
  }

  private writeEpisodeEnd(): void {
    this.write({
      kind: "episode-end",
      episode: this.episode,
      steps: this.t,
      returns: packArray(Float32Array.from(this.returns)),
    });
    this.sink.flush();
    this.episodeOpen = false;
  }

  private write(record: ReplayRecord): void {
    this.sink.write(encodeReplayRecord(record));
  }

  private assertOpen(method: string): void {
    if (this.closed) throw new Error(`RecordEpisode.${method}: the recorder is closed`);
  }
}

/** Actions as typed arrays: discrete ones int32, continuous ones float32. */
function packActions(actions: Actions, length: number) {
  if (actions instanceof Int32Array || actions instanceof Float32Array) return packArray(actions);
  const values = Array.from({ length }, (_, i) => actions[i] as number);
  return packArray(values.every(Number.isInteger) ? Int32Array.from(values) : Float32Array.from(values));
}
