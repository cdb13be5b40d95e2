import {
  createEngineFromScenario,
  generateGridScenario,
  loadCityFlowScenario,
  parseFlows,
  parseGridSize,
  parseRoadnet,
  RoadNetwork,
  TrafficEngine,
} from "@netmarl/envs";

/** The result of `netmarl-bench cityflow`. */
export interface CityFlowRunResult {
  /** CityFlow's `get_average_travel_time()` after the last step, seconds. */
  averageTravelTime: number;
  vehiclesFinished: number;
  vehiclesCreated: number;
  steps: number;
  /** Wall time of the stepping loop (loading and compiling the network excluded). */
  seconds: number;
  stepsPerSecond: number;
}

export interface CityFlowRunOptions {
  /** Steps to simulate (default 3600). */
  steps?: number;
  /** Called every 100 steps with the number done. */
  onProgress?: (done: number) => void;
}

/**
 * Runs NetMARL's CityFlow engine on a CityFlow `config.json` in fixed-time mode (the config's
 * `rlTrafficLight` is ignored: phases cycle by their `time`), with the config's interval and seed.
 */
export function runCityFlow(configPath: string, options: CityFlowRunOptions = {}): CityFlowRunResult {
  const scenario = loadCityFlowScenario(configPath);
  const engine = createEngineFromScenario({
    ...scenario,
    config: { ...scenario.config, rlTrafficLight: false },
  });
  return runEngine(engine, options);
}

/**
 * The reference generated grids: `generate_grid_scenario.py R C --tlPlan --turn --interval 10`
 * (300 m blocks, 16.67 m/s), seed 0, fixed time. `grid` is "RxC", e.g. "35x35".
 */
export function runCityFlowGrid(grid: string, options: CityFlowRunOptions = {}): CityFlowRunResult {
  const scenario = generateGridScenario({ ...parseGridSize(grid), turn: true, tlPlan: true, interval: 10 });
  const roadnet = parseRoadnet(scenario.roadnet, `grid ${grid}`);
  const engine = new TrafficEngine(new RoadNetwork(roadnet), parseFlows(scenario.flows, roadnet), {
    seed: 0,
  });
  return runEngine(engine, options);
}

function runEngine(engine: TrafficEngine, options: CityFlowRunOptions): CityFlowRunResult {
  const steps = options.steps ?? 3600;
  const started = performance.now();
  for (let s = 1; s <= steps; s++) {
    engine.nextStep();
    if (options.onProgress && s % 100 === 0) options.onProgress(s);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    averageTravelTime: engine.averageTravelTime(),
    vehiclesFinished: engine.vehiclesFinished,
    vehiclesCreated: engine.vehiclesCreated,
    steps,
    seconds,
    stepsPerSecond: steps / seconds,
  };
}
