import type { Space } from "../spaces/space.js";
import type { Actions } from "./multi-agent-env.js";

/**
 * Refuses an action batch that does not hold N agents' values of `space`, naming the first bad
 * entry, its agent and the expected form. Environments call this at the top of `step`.
 */
export function validateActions(envId: string, space: Space, numAgents: number, actions: Actions): void {
  const expected = numAgents * space.size;
  if (actions == null || typeof actions.length !== "number") {
    throw new TypeError(
      `${envId}.step(actions): expected ${expected} numbers (${numAgents} agents × ${space}), got ${String(actions)}`,
    );
  }
  if (actions.length !== expected) {
    throw new RangeError(
      `${envId}.step(actions): got ${actions.length} action entries; expected ${expected} (${numAgents} agents × ${space.size} for ${space})`,
    );
  }
  for (let agent = 0; agent < numAgents; agent++) {
    for (let k = 0; k < space.size; k++) {
      const index = agent * space.size + k;
      const problem = space.explainEntry(actions[index], k);
      if (problem !== null) {
        throw new RangeError(
          `${envId}.step(actions): actions[${index}] (agent ${agent}) = ${actions[index]} is outside ${space}: ${problem}`,
        );
      }
    }
  }
}
