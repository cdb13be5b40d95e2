import type { Rng } from "@netmarl/envs";
import { type GridScene, packArray, type ReplayRecord } from "@netmarl/envs/replay";
import { csrGraph } from "./csr-graph.js";
import { syntheticHeader } from "./synthetic-header.js";

const EMPTY = 0;
const WALL = 1;
const FOOD = 2;
const MOVES = [
  [0, 0],
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
] as const;

/**
 * A cell world for viewer tests: walls on the border, food that agents eat, agents on a random
 * walk with hp, and an "adjacent agents" graph (within 2 cells) recomputed every frame.
 */
export function* syntheticGridReplay(options: {
  width: number;
  height: number;
  numAgents: number;
  frames: number;
  rng: Rng;
}): Generator<ReplayRecord> {
  const { width, height, numAgents, frames, rng } = options;
  yield syntheticHeader("grid", "cell-world", numAgents, 9, 0);
  const walls = new Uint8Array(width * height);
  for (let c = 0; c < width * height; c++) {
    const x = c % width;
    const y = Math.floor(c / width);
    if (x === 0 || y === 0 || x === width - 1 || y === height - 1) walls[c] = WALL;
  }
  const scene: GridScene = {
    kind: "scene",
    family: "grid",
    width,
    height,
    cellLegend: ["empty", "wall", "food", "agent"],
    staticCells: packArray(walls),
  };
  yield scene;
  const food = new Uint8Array(width * height);
  for (let c = 0; c < food.length; c++) if (walls[c] === EMPTY && rng.uniform() < 0.15) food[c] = FOOD;
  const agentX = Int32Array.from({ length: numAgents }, () => 1 + rng.int(width - 2));
  const agentY = Int32Array.from({ length: numAgents }, () => 1 + rng.int(height - 2));
  const hp = new Float32Array(numAgents).fill(10);
  for (let t = 0; t < frames; t++) {
    const actions = new Int32Array(numAgents);
    const rewards = new Float32Array(numAgents);
    if (t > 0) {
      for (let a = 0; a < numAgents; a++) {
        const action = rng.int(MOVES.length);
        actions[a] = action;
        const move = MOVES[action] as readonly [number, number];
        const x = Math.min(Math.max((agentX[a] as number) + move[0], 1), width - 2);
        const y = Math.min(Math.max((agentY[a] as number) + move[1], 1), height - 2);
        agentX[a] = x;
        agentY[a] = y;
        if (food[y * width + x] === FOOD) {
          food[y * width + x] = EMPTY;
          rewards[a] = 1;
          hp[a] = (hp[a] as number) + 1;
        }
      }
    }
    const cells = new Uint8Array(food);
    const agentCell = Int32Array.from(
      { length: numAgents },
      (_, a) => (agentY[a] as number) * width + (agentX[a] as number),
    );
    const obs = new Float32Array(numAgents * 9);
    const targetsOf: number[][] = [];
    for (let a = 0; a < numAgents; a++) {
      targetsOf.push([]);
      for (let b = 0; b < numAgents; b++) {
        const near =
          Math.abs((agentX[a] as number) - (agentX[b] as number)) <= 2 &&
          Math.abs((agentY[a] as number) - (agentY[b] as number)) <= 2;
        if (b !== a && near) targetsOf[a]?.push(b);
      }
      for (let k = 0; k < 9; k++) {
        const x = (agentX[a] as number) + (k % 3) - 1;
        const y = (agentY[a] as number) + Math.floor(k / 3) - 1;
        obs[9 * a + k] = (walls[y * width + x] as number) + (food[y * width + x] as number);
      }
    }
    yield {
      kind: "frame",
      episode: 0,
      t,
      state: {
        cells: packArray(cells),
        agentCell: packArray(agentCell),
        agentValue: packArray(hp),
        agentValueName: "hp",
      },
      ...(t > 0 ? { actions: packArray(actions), rewards: packArray(rewards) } : {}),
      obs: packArray(obs),
      graphs: { adjacent: csrGraph(targetsOf, { label: "agents within 2 cells", directed: false }) },
    };
  }
  yield {
    kind: "episode-end",
    episode: 0,
    steps: frames - 1,
    returns: packArray(new Float32Array(numAgents)),
  };
}
