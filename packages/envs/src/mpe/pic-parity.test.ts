import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedDataPath } from "../testing/shared-data.js";
import { CooperativeNavigation } from "./cooperative-navigation.js";

// PIC's own trajectories, recorded by running IouJenLiu/PIC @ 59a61b33 (MIT licence):
// simple_spread_n3.py + core_vec.py + environment.py with numpy, seed 0. The fixture is the team's
// ../shared/data/mpe/pic_simple_spread_n3_seed0.json (see its SOURCE.md), read in place.
const FIXTURE = sharedDataPath("mpe", "pic_simple_spread_n3_seed0.json");

interface FixtureStep {
  agent_pos: number[][];
  agent_vel: number[][];
  action_index: number[];
  action_vec: number[][];
  force_u: number[][];
  obs: number[][];
  reward: number[];
  done: boolean[];
}

interface FixtureCase {
  landmark_pos: number[][];
  reset: { agent_pos: number[][]; agent_vel: number[][]; obs: number[][]; reward_callback_sum: number };
  steps: FixtureStep[];
}

interface Fixture {
  constants: { world_radius: number; n_others: number; agent_size: number; sensitivity: number };
  episode_length: number;
  cases: Record<string, FixtureCase>;
}

const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as Fixture;
const TOLERANCE = 1e-5;

function expectClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const gap = Math.abs(actual[i] - expected[i]);
    if (!(gap <= TOLERANCE)) {
      throw new Error(`${what}[${i}] = ${actual[i]}, PIC has ${expected[i]} (|gap| = ${gap} > ${TOLERANCE})`);
    }
  }
}

function makeEnv(actionMode: "discrete" | "pic-vector") {
  const env = new CooperativeNavigation({
    numAgents: 3,
    worldRadius: fixture.constants.world_radius,
    numObservedAgents: fixture.constants.n_others,
    agentSize: fixture.constants.agent_size,
    actionMode,
  });
  expect(env.spec.obsDim).toBe(14);
  env.reset(0);
  return env;
}

function restoreCase(env: CooperativeNavigation, data: FixtureCase) {
  return env.restore({
    agentPositions: data.reset.agent_pos.flat(),
    agentVelocities: data.reset.agent_vel.flat(),
    landmarkPositions: data.landmark_pos.flat(),
    stepCount: 0,
  });
}

describe("cooperative navigation: parity with PIC's simple_spread_n3 trajectories", () => {
  it("uses the fixture's constants by default for N = 3", () => {
    const env = new CooperativeNavigation({ numAgents: 3 });
    expect(env.worldRadius).toBe(fixture.constants.world_radius);
    expect(env.numObservedAgents).toBe(fixture.constants.n_others);
    expect(env.agentSize).toBe(fixture.constants.agent_size);
    expect(env.observationSorting).toBe("distance");
  });

  for (const name of Object.keys(fixture.cases)) {
    for (const mode of ["discrete", "pic-vector"] as const) {
      it(`reproduces case "${name}" (${mode} actions) within 1e-5`, () => {
        const data = fixture.cases[name];
        const env = makeEnv(mode);
        const reset = restoreCase(env, data);
        expectClose(reset.obs, data.reset.obs.flat(), "reset obs");
        expect(Math.abs(env.teamReward() - data.reset.reward_callback_sum)).toBeLessThan(TOLERANCE);
        expect(data.steps).toHaveLength(fixture.episode_length);
        data.steps.forEach((recorded, t) => {
          const actions =
            mode === "discrete"
              ? Int32Array.from(recorded.action_index)
              : Float32Array.from(recorded.action_vec.flat());
          const result = env.step(actions);
          const state = env.snapshot();
          expectClose(state.agentPositions, recorded.agent_pos.flat(), `step ${t} positions`);
          expectClose(state.agentVelocities, recorded.agent_vel.flat(), `step ${t} velocities`);
          expectClose(result.obs, recorded.obs.flat(), `step ${t} obs`);
          expectClose(result.rewards, recorded.reward, `step ${t} rewards`);
          expect(Array.from(result.terminated)).toEqual(recorded.done.map(() => 0));
          expect(result.truncated[0]).toBe(t === fixture.episode_length - 1 ? 1 : 0);
        });
        expect(() => env.step(Int32Array.of(0, 0, 0))).toThrow(/call reset/);
      });
    }
  }

  it("the collision case really collides (contact forces matter for parity)", () => {
    const data = fixture.cases.collision;
    const withContacts = makeEnv("discrete");
    restoreCase(withContacts, data);
    const first = data.steps[0];
    withContacts.step(Int32Array.from(first.action_index));
    // Without contact forces agent 0 would move at +0.5 in x after one step of +x; PIC's
    // recorded velocity differs from that by the contact push.
    const recordedVx = first.agent_vel[0][0];
    expect(Math.abs(recordedVx - 0.5)).toBeGreaterThan(0.1);
    expect(withContacts.snapshot().agentVelocities[0]).toBeCloseTo(recordedVx, 6);
  });
});
