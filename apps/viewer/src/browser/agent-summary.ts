import { type ReplayFrame, type ReplayHeader, unpackArray } from "@netmarl/envs/replay";
import { agentActionSlice } from "./agent-actions.js";
import type { NumberArray } from "./family-renderer.js";
import { formatNumber } from "./format-number.js";

/** How many leading observation entries the hover shows. */
const SHOWN_OBSERVATION_ENTRIES = 6;

/** Statistics and leading entries of one agent's observation (`obs` is numAgents × obsDim). */
export function summariseObservation(obs: NumberArray, obsDim: number, agent: number): string[] {
  if (obsDim < 1 || obs.length < (agent + 1) * obsDim) return [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  const first: string[] = [];
  for (let k = 0; k < obsDim; k++) {
    const value = obs[agent * obsDim + k] as number;
    min = Math.min(min, value);
    max = Math.max(max, value);
    sum += value;
    if (k < SHOWN_OBSERVATION_ENTRIES) first.push(formatNumber(value));
  }
  return [
    `observation (${obsDim}): min ${formatNumber(min)}, max ${formatNumber(max)}, mean ${formatNumber(sum / obsDim)}`,
    `  first: ${first.join(", ")}${obsDim > SHOWN_OBSERVATION_ENTRIES ? ", …" : ""}`,
  ];
}

/**
 * The hover text of one agent: its label, the family's own lines (signal phase, position, hp …),
 * then its action and reward of the step that led to this frame and its observation summary.
 */
export function describeAgentAtFrame(
  header: ReplayHeader,
  frame: ReplayFrame,
  agent: number,
  familyLines: readonly string[],
  actionNames: readonly string[] | undefined,
): string[] {
  const lines = [header.agentLabels?.[agent] ?? `agent ${agent}`, ...familyLines];
  if (frame.actions !== undefined) {
    const action = agentActionSlice(
      unpackArray(frame.actions, `frame t=${frame.t} actions`),
      header.numAgents,
      agent,
    );
    const shown = Array.from(action, (value) => {
      const name = action.length === 1 ? actionNames?.[value] : undefined;
      return name === undefined ? formatNumber(value) : `${name} (${value})`;
    });
    lines.push(`action ${shown.join(", ")}`);
  } else {
    lines.push("action — (reset state)");
  }
  if (frame.rewards !== undefined) {
    const rewards = unpackArray(frame.rewards, `frame t=${frame.t} rewards`);
    lines.push(`reward ${formatNumber(rewards[agent] as number)}`);
  }
  if (frame.obs !== undefined) {
    lines.push(
      ...summariseObservation(unpackArray(frame.obs, `frame t=${frame.t} obs`), header.obsDim, agent),
    );
  }
  return lines;
}
