/**
 * Frames drawn and the time each draw took, between `start` and `stop`: what `pnpm fps` reports.
 * Draw times go into a preallocated ring so measuring does not allocate per frame.
 */
export class DrawStatistics {
  private readonly drawMilliseconds = new Float64Array(4096);
  private count = 0;
  private startedAt = 0;
  measuring = false;

  start(now: number): void {
    this.count = 0;
    this.startedAt = now;
    this.measuring = true;
  }

  record(milliseconds: number): void {
    if (!this.measuring) return;
    this.drawMilliseconds[this.count % this.drawMilliseconds.length] = milliseconds;
    this.count++;
  }

  stop(now: number): DrawReport {
    this.measuring = false;
    const seconds = (now - this.startedAt) / 1000;
    const kept = this.drawMilliseconds.slice(0, Math.min(this.count, this.drawMilliseconds.length)).sort();
    const mean = kept.reduce((sum, value) => sum + value, 0) / Math.max(kept.length, 1);
    return {
      framesDrawn: this.count,
      seconds,
      framesPerSecond: this.count / Math.max(seconds, 1e-9),
      drawMillisecondsMean: mean,
      drawMillisecondsP95: kept[Math.floor(0.95 * (kept.length - 1))] ?? 0,
      drawMillisecondsMax: kept[kept.length - 1] ?? 0,
    };
  }
}

export interface DrawReport {
  readonly framesDrawn: number;
  readonly seconds: number;
  readonly framesPerSecond: number;
  /** JavaScript time of one draw of every pane (Chromium rasterises afterwards, off this clock). */
  readonly drawMillisecondsMean: number;
  readonly drawMillisecondsP95: number;
  readonly drawMillisecondsMax: number;
}
