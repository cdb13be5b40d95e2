/**
 * `RecordCityFlowReplay` writes a traffic run in CityFlow's own replay format (see
 * `cityflow-replay.ts`) for CityFlow's frontend: the roadnet log once (atomically), then one
 * replay line after every engine step, as CityFlow's `saveReplay` does — so a `SignalControlEnv`
 * step of `decisionSeconds` engine seconds writes that many lines. As in CityFlow, a reset does not
 * start a new file: later episodes append. Reads only; results are unchanged.
 */
import { closeSync, openSync } from "node:fs";
import type { MultiAgentEnv } from "../env/multi-agent-env.js";
import { writeFileAtomic, writeFully } from "../persistence/write-file-atomic.js";
import { EnvWrapper, findInWrappedEnvs } from "../wrappers/env-wrapper.js";
import { buildCityFlowRoadnetLog, formatCityFlowReplayLine } from "./cityflow-replay.js";
import { TrafficEngine } from "./traffic-engine.js";

export interface CityFlowReplayFiles {
  /** CityFlow's `roadnetLogFile`: the static road network (JSON). */
  roadnetLogFile: string;
  /** CityFlow's `replayLogFile`: one line per engine step. */
  replayLogFile: string;
}

export class RecordCityFlowReplay extends EnvWrapper {
  readonly engine: TrafficEngine;
  private fd: number | undefined;

  constructor(env: MultiAgentEnv, files: CityFlowReplayFiles) {
    super(env);
    const engine = findInWrappedEnvs(env, (candidate) => {
      const value = (candidate as { engine?: unknown }).engine;
      return value instanceof TrafficEngine ? value : undefined;
    });
    if (engine === undefined) {
      throw new TypeError(
        `RecordCityFlowReplay: ${env.spec.id} has no TrafficEngine (only traffic envs have CityFlow replays)`,
      );
    }
    for (const key of ["roadnetLogFile", "replayLogFile"] as const) {
      if (typeof files?.[key] !== "string" || files[key] === "") {
        throw new TypeError(`RecordCityFlowReplay: ${key} must be a non-empty file path`);
      }
    }
    this.engine = engine;
    writeFileAtomic(files.roadnetLogFile, JSON.stringify(buildCityFlowRoadnetLog(engine.network)));
    const fd = openSync(files.replayLogFile, "w");
    this.fd = fd;
    engine.setStepListener(() =>
      writeFully(fd, Buffer.from(`${formatCityFlowReplayLine(engine)}\n`, "utf8")),
    );
  }

  override close(): void {
    if (this.fd !== undefined) {
      this.engine.setStepListener(undefined);
      closeSync(this.fd);
      this.fd = undefined;
    }
    super.close();
  }
}
