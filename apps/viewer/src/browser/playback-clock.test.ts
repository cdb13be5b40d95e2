import { describe, expect, it } from "vitest";
import { FRAMES_PER_SECOND_AT_1X, PlaybackClock } from "./playback-clock.js";

describe("PlaybackClock", () => {
  it("advances by wall time × speed, skipping frames rather than slowing down, and stops at the end", () => {
    const clock = new PlaybackClock();
    clock.frameCount = 100;
    clock.togglePlaying();
    clock.speed = 4;
    clock.advance(0.5);
    expect(clock.frameIndex).toBe(0.5 * 4 * FRAMES_PER_SECOND_AT_1X);
    clock.advance(60);
    expect([clock.frameIndex, clock.playing]).toEqual([99, false]);
    clock.togglePlaying(); // at the end: play again from the start
    expect([clock.frameIndex, clock.playing]).toEqual([0, true]);
  });

  it("steps and seeks within the frames, pausing", () => {
    const clock = new PlaybackClock();
    clock.frameCount = 5;
    clock.playing = true;
    clock.step(-1);
    expect([clock.frameIndex, clock.playing]).toEqual([0, false]);
    clock.step(10);
    expect(clock.frameIndex).toBe(4);
    clock.seek(2.4);
    expect(clock.frameIndex).toBe(2);
  });
});
