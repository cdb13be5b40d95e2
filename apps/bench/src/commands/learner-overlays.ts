import { AgentGraph, type RecordEpisodeOptions, toReplayGraph } from "@netmarl/envs";
import { BnMappoLearner } from "@netmarl/policies-bn-dag";
import { LtosLearner } from "@netmarl/policies-ltos";
import type { Learner } from "@netmarl/trainers";

/**
 * The overlay graphs a learner exposes cheaply, for `RecordEpisode`: BN-MAPPO's DAG of the last
 * greedy act (`parents`, directed parent → child) and LToS's sharing weights of the last greedy act
 * (`sharing`: an edge i → j weighted by the share of its reward agent i gives j). Other learners
 * have none (the replay holds the env graph only). Both describe the act that led to a frame, so
 * the reset frame (t = 0, nothing acted yet) has neither.
 */
export function learnerOverlays(learner: Learner): RecordEpisodeOptions["overlays"] {
  if (learner instanceof BnMappoLearner) {
    return ({ t }) =>
      t === 0 ? undefined : { parents: toReplayGraph(dagGraph(learner.lastDag()), "parents (BN-DAG)", true) };
  }
  if (learner instanceof LtosLearner) {
    return ({ t }) =>
      t === 0
        ? undefined
        : { sharing: toReplayGraph(sharingGraph(learner.evaluationSharing()), "sharing weights", true) };
  }
  return undefined;
}

/** `adjacency[parent · N + child]` → a graph whose row `child` lists its parents. */
function dagGraph(adjacency: Float32Array): AgentGraph {
  const n = Math.round(Math.sqrt(adjacency.length));
  const sources: number[] = [];
  const targets: number[] = [];
  for (let parent = 0; parent < n; parent++) {
    for (let child = 0; child < n; child++) {
      if (adjacency[parent * n + child] > 0.5) {
        sources.push(parent);
        targets.push(child);
      }
    }
  }
  return AgentGraph.fromEdges(n, { sources, targets }, { directed: true });
}

/** Row j lists the agents that give j a share of their reward, weighted by that share. */
function sharingGraph(sharing: { wOut: Float32Array; rows: Int32Array; maxNeighbors: number }): AgentGraph {
  const m = sharing.maxNeighbors;
  const n = sharing.rows.length / m;
  const sources: number[] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  for (let giver = 0; giver < n; giver++) {
    for (let k = 0; k < m; k++) {
      const receiver = sharing.rows[giver * m + k];
      if (receiver < 0) continue;
      sources.push(giver);
      targets.push(receiver);
      weights.push(sharing.wOut[giver * (1 + m) + 1 + k]);
    }
  }
  return AgentGraph.fromEdges(n, { sources, targets }, { directed: true, weights });
}
