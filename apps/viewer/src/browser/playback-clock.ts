/** Speeds offered in the speed menu (× the base rate). */
export const PLAYBACK_SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;
/** Recorded frames shown per second at 1×. */
export const FRAMES_PER_SECOND_AT_1X = 10;

/**
 * Which frame is shown: a fractional frame index advanced by wall time while playing, so a slow
 * draw skips frames instead of slowing the replay down.
 */
export class PlaybackClock {
  position = 0;
  playing = false;
  speed = 1;
  frameCount = 1;

  get frameIndex(): number {
    return Math.min(Math.floor(this.position), this.frameCount - 1);
  }

  /** Advances by `seconds` of wall time; stops at the last frame. */
  advance(seconds: number): void {
    if (!this.playing) return;
    this.position += seconds * this.speed * FRAMES_PER_SECOND_AT_1X;
    if (this.position >= this.frameCount - 1) {
      this.position = this.frameCount - 1;
      this.playing = false;
    }
  }

  seek(frameIndex: number): void {
    this.position = Math.min(Math.max(Math.round(frameIndex), 0), this.frameCount - 1);
  }

  step(delta: number): void {
    this.playing = false;
    this.seek(this.frameIndex + delta);
  }

  togglePlaying(): void {
    if (!this.playing && this.frameIndex >= this.frameCount - 1) this.position = 0; // Replay from the start.
    this.playing = !this.playing;
  }
}
