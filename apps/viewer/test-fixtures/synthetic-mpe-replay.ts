import type { Rng } from "@netmarl/envs";
import { type MpeScene, packArray, type ReplayRecord } from "@netmarl/envs/replay";
import { csrGraph } from "./csr-graph.js";
import { syntheticHeader } from "./synthetic-header.js";

/**
 * A particle world for viewer tests and frame-rate runs: N agents drawn towards N landmarks with
 * noise (not the MPE physics), a k-nearest-neighbour graph recomputed every frame, observations.
 */
export function* syntheticMpeReplay(options: {
  numAgents: number;
  frames: number;
  rng: Rng;
  neighbours?: number;
}): Generator<ReplayRecord> {
  const { numAgents, frames, rng } = options;
  const k = Math.min(options.neighbours ?? 3, numAgents - 1);
  const numEntities = 2 * numAgents;
  const half = 1 + Math.sqrt(numAgents) / 4;
  yield syntheticHeader("mpe", "particles", numAgents, 4, 0);
  const scene: MpeScene = {
    kind: "scene",
    family: "mpe",
    numEntities,
    entityKind: packArray(Uint8Array.from({ length: numEntities }, (_, e) => (e < numAgents ? 0 : 1))),
    entitySize: packArray(
      Float64Array.from({ length: numEntities }, (_, e) => (e < numAgents ? 0.05 : 0.08)),
    ),
    bounds: [-half, -half, half, half],
  };
  yield scene;
  const position = Float64Array.from({ length: 2 * numEntities }, () => rng.uniform(-half, half));
  const velocity = new Float64Array(2 * numEntities);
  let returns = 0;
  for (let t = 0; t < frames; t++) {
    if (t > 0) {
      for (let a = 0; a < numAgents; a++) {
        for (let axis = 0; axis < 2; axis++) {
          const i = 2 * a + axis;
          const towards = (position[2 * (numAgents + a) + axis] as number) - (position[i] as number);
          velocity[i] = 0.8 * (velocity[i] as number) + 0.05 * towards + rng.normal(0, 0.02);
          position[i] = (position[i] as number) + (velocity[i] as number);
        }
      }
    }
    const rewards = new Float32Array(numAgents);
    const obs = new Float32Array(numAgents * 4);
    const targetsOf: number[][] = [];
    for (let a = 0; a < numAgents; a++) {
      const dx = (position[2 * (numAgents + a)] as number) - (position[2 * a] as number);
      const dy = (position[2 * (numAgents + a) + 1] as number) - (position[2 * a + 1] as number);
      rewards[a] = -Math.hypot(dx, dy);
      obs.set([velocity[2 * a] as number, velocity[2 * a + 1] as number, dx, dy], 4 * a);
      targetsOf.push(nearest(position, numAgents, a, k));
    }
    returns += rewards.reduce((sum, r) => sum + r, 0);
    yield {
      kind: "frame",
      episode: 0,
      t,
      state: { position: packArray(position), velocity: packArray(velocity) },
      ...(t > 0
        ? {
            actions: packArray(Float32Array.from({ length: numAgents * 2 }, (_, i) => velocity[i] as number)),
            rewards: packArray(rewards),
          }
        : {}),
      obs: packArray(obs),
      graphs: { neighbours: csrGraph(targetsOf, { label: `${k} nearest agents`, directed: true }) },
    };
  }
  yield {
    kind: "episode-end",
    episode: 0,
    steps: frames - 1,
    returns: packArray(new Float32Array(numAgents).fill(returns / numAgents)),
  };
}

function nearest(position: Float64Array, numAgents: number, agent: number, k: number): number[] {
  const x = position[2 * agent] as number;
  const y = position[2 * agent + 1] as number;
  const distance = (b: number) =>
    Math.hypot((position[2 * b] as number) - x, (position[2 * b + 1] as number) - y);
  return Array.from({ length: numAgents }, (_, b) => b)
    .filter((b) => b !== agent)
    .sort((a, b) => distance(a) - distance(b))
    .slice(0, k);
}
