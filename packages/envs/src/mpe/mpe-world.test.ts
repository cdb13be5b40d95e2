import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.js";
import { type CollisionRule, contactCutoff, contactForceMagnitude, MpeWorld, softplus } from "./mpe-world.js";

function twoAgents(rule: CollisionRule, sizes: [number, number] = [0.15, 0.15]): MpeWorld {
  const world = new MpeWorld({ numAgents: 2, numLandmarks: 0, collisionRule: rule });
  world.size[0] = sizes[0];
  world.size[1] = sizes[1];
  world.finalizeProperties();
  return world;
}

/** PIC's apply_environment_force_vec, dense and without any cutoff. */
function bruteContactForces(world: MpeWorld): Float64Array {
  const n = world.numEntities;
  const out = new Float64Array(2 * n);
  const p = world.position;
  for (let a = 0; a < n; a++) {
    if (world.movable[a] === 0 || world.collide[a] === 0) continue;
    for (let b = 0; b < n; b++) {
      if (a === b || world.collide[b] === 0) continue;
      const dx = p[2 * a] - p[2 * b];
      const dy = p[2 * a + 1] - p[2 * b + 1];
      const dist = Math.sqrt(dx * dx + dy * dy);
      const distMin = world.collisionRule === "pic" ? 2 * world.size[0] : world.size[a] + world.size[b];
      const k = world.contactMargin;
      const pen = softplus(-(dist - distMin) / k) * k;
      out[2 * a] += (world.contactForce * dx * pen) / dist;
      out[2 * a + 1] += (world.contactForce * dy * pen) / dist;
    }
  }
  return out;
}

describe("MpeWorld physics (PIC core_vec)", () => {
  it("integrates a lone agent pushing +x: v = 0.5 then 0.875, p = 0.05 then 0.1375", () => {
    const world = twoAgents("pic");
    world.position.set([0, 0, 10, 10]);
    world.force.set([5, 0, 0, 0]); // action 1 × sensitivity 5
    world.step();
    expect(world.velocity[0]).toBeCloseTo(0.5, 12); // 0·(1 − 0.25) + (5 / 1)·0.1
    expect(world.position[0]).toBeCloseTo(0.05, 12); // 0 + 0.5·0.1
    world.force.set([5, 0, 0, 0]);
    world.step();
    expect(world.velocity[0]).toBeCloseTo(0.875, 12); // 0.5·0.75 + 0.5
    expect(world.position[0]).toBeCloseTo(0.1375, 12);
    expect(world.velocity[1]).toBe(0);
  });

  it("clamps the speed to max_speed after damping and force", () => {
    const world = twoAgents("pic");
    world.position.set([0, 0, 10, 10]);
    world.maxSpeed[0] = 1;
    world.velocity.set([2, 0, 0, 0]);
    world.force.set([0, 5, 0, 0]);
    world.step();
    // v = (1.5, 0.5) → |v| = 1.5811 > 1 → v/|v|.
    expect(world.velocity[0]).toBeCloseTo(1.5 / Math.hypot(1.5, 0.5), 12);
    expect(world.velocity[1]).toBeCloseTo(0.5 / Math.hypot(1.5, 0.5), 12);
    expect(world.position[0]).toBeCloseTo(0.1 * world.velocity[0], 12);
  });

  it("pushes two overlapping agents apart with 100·softplus penetration (0.1 deep → force 10)", () => {
    const world = twoAgents("pic");
    world.position.set([0, 0, 0.2, 0]);
    world.step();
    // d = 0.2, d_min = 0.3: pen = 1e-3·log(1 + e^100) = 0.1 (+4e-47), F = 100·0.1 = 10 along −x on agent 0.
    expect(world.velocity[0]).toBeCloseTo(-1, 12); // −10 / 1 · 0.1
    expect(world.velocity[2]).toBeCloseTo(1, 12);
    expect(world.velocity[1]).toBe(0);
    expect(world.position[0]).toBeCloseTo(-0.1, 12);
    expect(world.position[2]).toBeCloseTo(0.3, 12);
  });

  it("uses 2 × agent 0's size for every pair under 'pic' and size_a + size_b under 'exact'", () => {
    const pic = twoAgents("pic", [0.1, 0.05]);
    const exact = twoAgents("exact", [0.1, 0.05]);
    for (const world of [pic, exact]) {
      world.position.set([0, 0, 0.17, 0]);
      world.step();
    }
    // pic: d_min = 0.2, 0.03 deep → F = 3 → |Δv| = 0.3; exact: d_min = 0.15, a 0.02 gap → F = 0.1·log1p(e^−20).
    expect(pic.velocity[0]).toBeCloseTo(-0.3, 10);
    expect(exact.velocity[0]).toBeCloseTo(-0.1 * Math.log1p(Math.exp(-20)) * 0.1, 15);
    expect(Math.abs(exact.velocity[0])).toBeLessThan(1e-10);
  });

  it("lets static landmarks push agents without moving, and ignores non-colliding entities", () => {
    const world = new MpeWorld({ numAgents: 2, numLandmarks: 1, collisionRule: "exact" });
    world.size.set([0.1, 0.1, 0.2]);
    world.movable[2] = 0;
    world.collide[1] = 0;
    world.finalizeProperties();
    world.position.set([0.25, 0, -0.25, 0, 0, 0]); // agent 0 is 0.05 inside the landmark; agent 1 too, but no contact
    world.step();
    expect(world.velocity[0]).toBeCloseTo(0.5, 10); // F = 100·0.05 = 5
    expect(world.velocity[2]).toBe(0);
    expect(Array.from(world.position.subarray(4))).toEqual([0, 0]);
  });

  it("skips pairs only where the float32 force is exactly 0 (cutoff derivation)", () => {
    const cutoff = contactCutoff(100, 1e-3);
    expect(cutoff).toBeCloseTo(1e-3 * (151 * Math.LN2 + Math.log(0.1)), 15);
    expect(cutoff).toBeCloseTo(0.10236, 5);
    for (const distanceMin of [0.04, 0.12, 0.3, 0.9, 1.4]) {
      // Exactly at the cutoff the bound is 2^−151: half the float32 rounding threshold.
      expect(contactForceMagnitude(distanceMin + cutoff, distanceMin)).toBeLessThan(2 ** -150);
      expect(Math.fround(contactForceMagnitude(distanceMin + cutoff, distanceMin))).toBe(0);
      expect(Math.fround(contactForceMagnitude(distanceMin + cutoff + 0.05, distanceMin))).toBe(0);
      // A little closer the float32 force is not 0 any more: the cutoff is tight, not just safe.
      expect(Math.fround(contactForceMagnitude(distanceMin + cutoff - 0.002, distanceMin))).toBeGreaterThan(
        0,
      );
    }
  });

  it("applies the contact force up to the cutoff and exactly none beyond it", () => {
    const world = twoAgents("pic");
    const cutoff = world.contactCutoff;
    for (const [gap, expectNonZero] of [
      [cutoff - 0.002, true],
      [cutoff + 1e-9, false],
    ] as const) {
      world.position.set([0, 0, 0.3 + gap, 0]);
      world.force.fill(0);
      world.addContactForces();
      const expected = -contactForceMagnitude(0.3 + gap, 0.3);
      if (expectNonZero) {
        expect(Math.fround(world.force[0])).toBeLessThan(0); // still a (tiny) float32 push
        expect(world.force[0]).toBeCloseTo(expected, 60);
      } else {
        expect(world.force[0]).toBe(0);
        expect(Math.fround(expected)).toBe(-0); // what PIC's dense sum gives in float32
      }
    }
  });

  for (const rule of ["pic", "exact"] as const) {
    it(`grid contact forces equal PIC's dense O(N²) sum on random crowded states (${rule})`, () => {
      const rng = createRng(`contacts-${rule}`);
      const world = new MpeWorld({ numAgents: 150, numLandmarks: 30, collisionRule: rule });
      for (let e = 0; e < 180; e++)
        world.size[e] = e < 150 ? rng.uniform(0.02, 0.15) : rng.uniform(0.05, 0.3);
      for (let e = 150; e < 180; e++) {
        world.movable[e] = e % 3 === 0 ? 1 : 0; // some pushable "balls"
        world.collide[e] = e % 2 === 0 ? 1 : 0;
      }
      world.collide[7] = 0;
      world.finalizeProperties();
      for (let i = 0; i < 360; i++) world.position[i] = rng.uniform(-1.5, 1.5);
      const expected = bruteContactForces(world);
      world.force.fill(0);
      world.addContactForces();
      let touching = 0;
      for (let i = 0; i < 360; i++) {
        expect(Math.abs(world.force[i] - expected[i])).toBeLessThan(1e-9 * (1 + Math.abs(expected[i])));
        if (Math.abs(expected[i]) > 1e-3) touching++;
      }
      expect(touching).toBeGreaterThan(50); // the state really is crowded
    });
  }
});
