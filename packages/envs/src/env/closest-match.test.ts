import { describe, expect, it } from "vitest";
import { closestMatch, didYouMean } from "./closest-match.js";

describe("closestMatch", () => {
  it("suggests near misspellings, prefixes and case variants, and nothing for unrelated words", () => {
    expect(closestMatch("learningrate", ["learningRate", "discount"])).toBe("learningRate");
    expect(closestMatch("lerningRate", ["learningRate", "discount"])).toBe("learningRate");
    expect(closestMatch("coordination", ["aloha", "coordination-game"])).toBe("coordination-game");
    expect(closestMatch("mapo", ["mappo", "ippo", "dqn"])).toBe("mappo");
    expect(closestMatch("banana", ["mappo", "ippo", "dqn"])).toBeUndefined();
    expect(didYouMean("agents", ["numAgents"])).toBe(' Did you mean "numAgents"?');
    expect(didYouMean("zzz", ["numAgents"])).toBe("");
  });
});

describe("parseOptions on an unknown key", () => {
  it("names the key, suggests the closest known one and lists the known keys", async () => {
    const { CoordinationGame } = await import("../coordination-game/coordination-game.js");
    expect(() => new CoordinationGame({ agents: 3 } as never)).toThrow(
      /coordination-game options: Unrecognized key: "agents"\. Did you mean "numAgents"\? Known keys: numAgents, flipProbability/,
    );
  });
});
