import type { NumberArray } from "./family-renderer.js";

/**
 * Agent `agent`'s part of a frame's flat action array: one entry per agent, or an equal block per
 * agent (continuous or multi-discrete actions). Empty when the array does not split evenly.
 */
export function agentActionSlice(actions: NumberArray, numAgents: number, agent: number): NumberArray {
  if (actions.length === 0 || actions.length % numAgents !== 0) return [];
  const width = actions.length / numAgents;
  return Array.prototype.slice.call(actions, agent * width, (agent + 1) * width) as number[];
}

/** Agent `agent`'s first action entry (its discrete action), NaN when there is none. */
export function firstAgentAction(actions: NumberArray, numAgents: number, agent: number): number {
  if (actions.length === 0 || actions.length % numAgents !== 0) return Number.NaN;
  return actions[agent * (actions.length / numAgents)] as number;
}
