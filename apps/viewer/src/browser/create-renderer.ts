import type { GraphScene, GridScene, MpeScene, ParsedReplay, TrafficScene } from "@netmarl/envs/replay";
import type { FamilyRenderer } from "./family-renderer.js";
import { GraphRenderer } from "./graph-renderer.js";
import { GridRenderer } from "./grid-renderer.js";
import { MpeRenderer } from "./mpe-renderer.js";
import { TrafficRenderer } from "./traffic-renderer.js";

/** The renderer of a replay's family (the reader has checked header.family and scene.family agree). */
export function createRenderer(replay: ParsedReplay): FamilyRenderer {
  const { header, scene } = replay;
  switch (header.family) {
    case "traffic":
      return new TrafficRenderer(scene as TrafficScene, header.numAgents);
    case "mpe":
      return new MpeRenderer(scene as MpeScene, header.numAgents);
    case "grid":
      return new GridRenderer(scene as GridScene, header.numAgents);
    case "graph":
      return new GraphRenderer(scene as GraphScene, header.numAgents);
  }
}
