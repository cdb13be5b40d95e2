import type { Rng } from "@netmarl/envs";
import { type GraphScene, packArray, type ReplayRecord } from "@netmarl/envs/replay";
import { csrGraph } from "./csr-graph.js";
import { syntheticHeader } from "./synthetic-header.js";

/**
 * A graph game for viewer tests, shaped like Aloha on a rows × columns grid: agents wait or
 * transmit, a queue length per agent, the static grid neighbourhood (sent once, at t = 0) and a
 * directed, weighted "sharing weights" graph that changes every frame, over two episodes.
 */
export function* syntheticGraphReplay(options: {
  rows: number;
  columns: number;
  frames: number;
  rng: Rng;
}): Generator<ReplayRecord> {
  const { rows, columns, frames, rng } = options;
  const numAgents = rows * columns;
  yield syntheticHeader("graph", "aloha-like", numAgents, 2, 0);
  const layout = new Float64Array(2 * numAgents);
  for (let a = 0; a < numAgents; a++) layout.set([a % columns, -Math.floor(a / columns)], 2 * a); // row r at y = −r
  const scene: GraphScene = {
    kind: "scene",
    family: "graph",
    nodePosition: packArray(layout),
    actionNames: ["wait", "transmit"],
  };
  yield scene;
  const neighboursOf = Array.from({ length: numAgents }, (_, a) => {
    const r = Math.floor(a / columns);
    const c = a % columns;
    return [
      [r - 1, c],
      [r + 1, c],
      [r, c - 1],
      [r, c + 1],
    ]
      .filter(
        ([i, j]) =>
          (i as number) >= 0 && (j as number) >= 0 && (i as number) < rows && (j as number) < columns,
      )
      .map(([i, j]) => (i as number) * columns + (j as number));
  });
  for (let episode = 0; episode < 2; episode++) {
    const queue = new Float32Array(numAgents);
    for (let t = 0; t < frames; t++) {
      const actions = Int32Array.from({ length: numAgents }, () => (rng.uniform() < 0.4 ? 1 : 0));
      const rewards = new Float32Array(numAgents);
      for (let a = 0; a < numAgents; a++) {
        queue[a] = Math.max(
          0,
          (queue[a] as number) + (rng.uniform() < 0.5 ? 1 : 0) - (t > 0 ? (actions[a] as number) : 0),
        );
        rewards[a] = -(queue[a] as number);
      }
      const weightsOf = neighboursOf.map((targets) => targets.map(() => rng.uniform()));
      yield {
        kind: "frame",
        episode,
        t,
        state: { agentValue: packArray(queue), agentValueName: "queue length" },
        ...(t > 0 ? { actions: packArray(actions), rewards: packArray(rewards) } : {}),
        obs: packArray(
          Float32Array.from({ length: numAgents * 2 }, (_, i) =>
            i % 2 === 0 ? (queue[i / 2] as number) : t,
          ),
        ),
        graphs: {
          ...(t === 0
            ? { neighbours: csrGraph(neighboursOf, { label: "grid neighbours", directed: false }) }
            : {}),
          sharing: csrGraph(neighboursOf, { label: "sharing weights", directed: true, weightsOf }),
        },
      };
    }
    yield {
      kind: "episode-end",
      episode,
      steps: frames - 1,
      returns: packArray(new Float32Array(numAgents)),
    };
  }
}
