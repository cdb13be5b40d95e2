/**
 * Reads a CityFlow scenario from disk: `config.json` and the roadnet and flow files it names, or a
 * roadnet/flow pair directly. CityFlow joins `dir + file` relative to the working directory; here a
 * relative `dir` is first tried next to the config file, then relative to the working directory.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import {
  type CityFlowConfig,
  type FlowSpec,
  parseCityFlowConfig,
  parseFlows,
  parseRoadnet,
  type RoadnetSpec,
} from "./cityflow-files.js";
import { CityFlowFormatError } from "./cityflow-format-error.js";
import { RoadNetwork } from "./road-network.js";
import { TrafficEngine } from "./traffic-engine.js";

export interface CityFlowScenario {
  config: CityFlowConfig;
  roadnet: RoadnetSpec;
  flows: FlowSpec[];
  network: RoadNetwork;
  roadnetPath: string;
  flowPath: string;
}

function readText(path: string, label: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CityFlowFormatError(label, "$", "a readable file", `an error reading ${path} (${reason})`);
  }
}

/** Loads a roadnet and flow file pair (validated; errors name the file and the JSON path). */
export function loadRoadnetAndFlows(
  roadnetPath: string,
  flowPath: string,
): { roadnet: RoadnetSpec; flows: FlowSpec[]; network: RoadNetwork } {
  const roadnet = parseRoadnet(readText(roadnetPath, basename(roadnetPath)), basename(roadnetPath));
  const flows = parseFlows(readText(flowPath, basename(flowPath)), roadnet, basename(flowPath));
  return { roadnet, flows, network: new RoadNetwork(roadnet) };
}

/** Loads `config.json` and the files it names. */
export function loadCityFlowScenario(configPath: string): CityFlowScenario {
  const config = parseCityFlowConfig(readText(configPath, basename(configPath)), basename(configPath));
  const locate = (file: string): string => {
    const joined = config.dir + file;
    if (isAbsolute(joined)) return joined;
    const nextToConfig = join(dirname(resolve(configPath)), joined);
    return existsSync(nextToConfig) ? nextToConfig : resolve(joined);
  };
  const roadnetPath = locate(config.roadnetFile);
  const flowPath = locate(config.flowFile);
  const { roadnet, flows, network } = loadRoadnetAndFlows(roadnetPath, flowPath);
  return { config, roadnet, flows, network, roadnetPath, flowPath };
}

/** A fixed-time or controlled engine for a scenario, with its config's interval, seed and light mode. */
export function createEngineFromScenario(scenario: CityFlowScenario): TrafficEngine {
  return new TrafficEngine(scenario.network, scenario.flows, {
    interval: scenario.config.interval,
    seed: scenario.config.seed,
    rlTrafficLight: scenario.config.rlTrafficLight,
  });
}
