import { type DrawReport, DrawStatistics } from "./draw-statistics.js";
import { PLAYBACK_SPEEDS, PlaybackClock } from "./playback-clock.js";
import { ReplayPane } from "./replay-pane.js";
import type { NamedReplay } from "./replay-sources.js";

/** The page's fixed elements (viewer-template.html). */
export interface ViewerElements {
  readonly panes: HTMLElement;
  readonly play: HTMLButtonElement;
  readonly stepBack: HTMLButtonElement;
  readonly stepForward: HTMLButtonElement;
  readonly scrub: HTMLInputElement;
  readonly timeLabel: HTMLElement;
  readonly speed: HTMLSelectElement;
  readonly episode: HTMLSelectElement;
  readonly fit: HTMLButtonElement;
  readonly error: HTMLElement;
  readonly banner: HTMLElement;
  readonly tooltip: HTMLElement;
  readonly emptyHint: HTMLElement;
}

/** What tests and `pnpm fps` read through `window.netmarlViewer`. */
export interface ViewerStatus {
  readonly replays: readonly string[];
  readonly family: string | null;
  readonly frameIndex: number;
  readonly frameCount: number;
  readonly step: number;
  readonly playing: boolean;
  readonly error: string | null;
  readonly truncated: boolean;
}

const ZOOM_PER_WHEEL_PIXEL = 0.0015;

/**
 * Wires the controls to one or two panes that share a clock (split view: both show the same env
 * step) and, when they draw the same family, one zoom/pan. Draws on animation frames only while
 * playing or after a change, so an idle page costs nothing.
 */
export class ViewerApp {
  private panes: ReplayPane[] = [];
  private readonly clock = new PlaybackClock();
  private readonly statistics = new DrawStatistics();
  private frameRequested = false;
  private lastFrameTime = 0;
  private drawnIndex = -1;
  private looping = false;
  /** The error shown came from drawing a damaged frame: a later good draw takes it away. */
  private errorFromDraw = false;

  constructor(private readonly elements: ViewerElements) {
    for (const speed of PLAYBACK_SPEEDS)
      elements.speed.add(new Option(`${speed}×`, String(speed), false, speed === 1));
    elements.play.addEventListener("click", () => this.togglePlaying());
    elements.stepBack.addEventListener("click", () => this.step(-1));
    elements.stepForward.addEventListener("click", () => this.step(1));
    elements.scrub.addEventListener("input", () => {
      this.clock.playing = false;
      this.clock.seek(Number(elements.scrub.value));
      this.requestDraw();
    });
    elements.speed.addEventListener("change", () => {
      this.clock.speed = Number(elements.speed.value);
    });
    elements.episode.addEventListener("change", () => this.selectEpisode(Number(elements.episode.value)));
    elements.fit.addEventListener("click", () => this.fitAll());
    window.addEventListener("resize", () => this.requestDraw());
    document.addEventListener("keydown", (event) => this.onKey(event));
  }

  /** Replaces what is shown by these replays (two = split view). */
  show(replays: readonly NamedReplay[]): void {
    this.clearError();
    this.panes = [];
    this.elements.panes.replaceChildren();
    try {
      for (const { name, replay } of replays.slice(0, 2)) this.addPane(name, replay);
    } catch (error) {
      this.panes = [];
      this.elements.panes.replaceChildren();
      this.showError(error);
      return;
    }
    this.afterPanesChanged();
  }

  /** Adds a replay beside the first one (or replaces the second). */
  compare(replay: NamedReplay): void {
    if (this.panes.length === 0) {
      this.show([replay]);
      return;
    }
    this.clearError();
    if (this.panes.length > 1) {
      this.panes.pop()?.element.remove();
    }
    try {
      this.addPane(replay.name, replay.replay);
    } catch (error) {
      this.showError(error);
    }
    this.afterPanesChanged();
  }

  private addPane(name: string, replay: NamedReplay["replay"]): void {
    if (replay.episodes.length === 0) throw new Error(`${name}: the replay holds no frames`);
    const first = this.panes[0];
    const sharedView =
      first !== undefined && first.replay.header.family === replay.header.family ? first.view : null;
    const pane = new ReplayPane(replay, name, sharedView, () => this.requestDraw());
    this.panes.push(pane);
    this.elements.panes.append(pane.element);
    this.attachPointer(pane);
  }

  private afterPanesChanged(): void {
    const truncated = this.panes.filter((p) => p.replay.truncated).map((p) => p.name);
    this.elements.banner.hidden = truncated.length === 0;
    this.elements.banner.textContent =
      truncated.length === 0
        ? ""
        : `${truncated.join(" and ")} ended inside a line (a run still writing, or cut short): showing it up to its last complete step.`;
    this.elements.emptyHint.hidden = this.panes.length > 0;
    this.elements.panes.classList.toggle("split", this.panes.length > 1);
    const primary = this.panes[0];
    this.elements.episode.replaceChildren();
    for (const episode of primary?.episodes ?? []) {
      const steps = episode.end
        ? `${episode.end.steps} steps`
        : `${episode.frames.length} frames, unfinished`;
      this.elements.episode.add(new Option(`episode ${episode.index} (${steps})`, String(episode.index)));
    }
    this.selectEpisode(0);
    this.fitAll();
  }

  private selectEpisode(position: number): void {
    for (const pane of this.panes) pane.setEpisode(position);
    this.clock.frameCount = Math.max(1, this.panes[0]?.frames.length ?? 1);
    this.clock.seek(0);
    this.clock.playing = false;
    this.elements.scrub.max = String(this.clock.frameCount - 1);
    this.requestDraw();
  }

  private fitAll(): void {
    for (const pane of this.panes) pane.resize();
    for (const pane of this.panes) pane.fit();
    this.requestDraw();
  }

  togglePlaying(): void {
    this.clock.togglePlaying();
    this.requestDraw();
  }

  step(delta: number): void {
    this.clock.step(delta);
    this.requestDraw();
  }

  seek(frameIndex: number): void {
    this.clock.playing = false;
    this.clock.seek(frameIndex);
    this.requestDraw();
  }

  setAllOverlays(enabled: boolean): void {
    for (const pane of this.panes) pane.setAllOverlays(enabled);
    this.requestDraw();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.target instanceof HTMLSelectElement || event.ctrlKey || event.metaKey || event.altKey) return;
    const handled = this.handleKey(event.key, event.shiftKey);
    if (handled) event.preventDefault();
  }

  private handleKey(key: string, shift: boolean): boolean {
    const speedIndex = PLAYBACK_SPEEDS.indexOf(this.clock.speed as (typeof PLAYBACK_SPEEDS)[number]);
    switch (key) {
      case " ":
        this.togglePlaying();
        return true;
      case "ArrowRight":
        this.step(shift ? 10 : 1);
        return true;
      case "ArrowLeft":
        this.step(shift ? -10 : -1);
        return true;
      case "Home":
        this.seek(0);
        return true;
      case "End":
        this.seek(this.clock.frameCount - 1);
        return true;
      case "]":
      case "[": {
        const next = Math.min(Math.max(speedIndex + (key === "]" ? 1 : -1), 0), PLAYBACK_SPEEDS.length - 1);
        this.clock.speed = PLAYBACK_SPEEDS[next] as number;
        this.elements.speed.value = String(this.clock.speed);
        return true;
      }
      case "f":
        this.fitAll();
        return true;
      case "g": {
        const anyOn = this.panes.some((pane) => [...pane.overlayEnabled.values()].some((on) => on));
        this.setAllOverlays(!anyOn);
        return true;
      }
      default:
        return false;
    }
  }

  private attachPointer(pane: ReplayPane): void {
    const canvas = pane.canvas;
    canvas.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        pane.view.zoomAt(event.offsetX, event.offsetY, Math.exp(-event.deltaY * ZOOM_PER_WHEEL_PIXEL));
        this.requestDraw();
      },
      { passive: false },
    );
    let dragX = 0;
    let dragY = 0;
    canvas.addEventListener("pointerdown", (event) => {
      canvas.setPointerCapture(event.pointerId);
      dragX = event.clientX;
      dragY = event.clientY;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (canvas.hasPointerCapture(event.pointerId)) {
        pane.view.panBy(event.clientX - dragX, event.clientY - dragY);
        dragX = event.clientX;
        dragY = event.clientY;
        this.requestDraw();
        return;
      }
      this.hover(pane, event.offsetX, event.offsetY, event.clientX, event.clientY);
    });
    canvas.addEventListener("pointerup", (event) => canvas.releasePointerCapture(event.pointerId));
    canvas.addEventListener("pointerleave", () => {
      pane.hoveredAgent = -1;
      this.elements.tooltip.hidden = true;
      this.requestDraw();
    });
  }

  private hover(pane: ReplayPane, x: number, y: number, clientX: number, clientY: number): void {
    const agent = pane.agentAt(x, y);
    if (agent !== pane.hoveredAgent) {
      pane.hoveredAgent = agent;
      this.requestDraw();
    }
    const tooltip = this.elements.tooltip;
    if (agent < 0) {
      tooltip.hidden = true;
      return;
    }
    try {
      tooltip.textContent = pane.describeAgent(agent).join("\n");
    } catch (error) {
      this.showError(error);
      return;
    }
    tooltip.hidden = false;
    tooltip.style.left = `${clientX + 14}px`;
    tooltip.style.top = `${clientY + 14}px`;
  }

  requestDraw(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame((time) => this.onAnimationFrame(time));
  }

  private onAnimationFrame(time: number): void {
    this.frameRequested = false;
    const seconds = this.lastFrameTime === 0 ? 0 : Math.min((time - this.lastFrameTime) / 1000, 0.25);
    this.clock.advance(seconds);
    if (this.looping && !this.clock.playing) {
      this.clock.position = 0; // Measuring: play round and round.
      this.clock.playing = true;
    }
    // Paused (or just ended): the next play starts counting from its own first animation frame.
    this.lastFrameTime = this.clock.playing ? time : 0;
    const started = performance.now();
    try {
      this.drawPanes();
    } catch (error) {
      this.clock.playing = false;
      this.showError(error);
      this.errorFromDraw = true;
      return;
    }
    if (this.errorFromDraw) {
      this.clearError();
      this.errorFromDraw = false;
    }
    this.statistics.record(performance.now() - started);
    if (this.clock.playing) this.requestDraw();
  }

  private drawPanes(): void {
    const primary = this.panes[0];
    this.elements.play.textContent = this.clock.playing ? "❚❚" : "▶";
    if (primary === undefined) return;
    for (const pane of this.panes) pane.resize();
    const index = this.clock.frameIndex;
    primary.draw(index);
    const step = primary.frames[index]?.t ?? 0;
    for (let p = 1; p < this.panes.length; p++) {
      const pane = this.panes[p] as ReplayPane;
      pane.draw(pane.frameIndexAtStep(step));
    }
    this.drawnIndex = index;
    this.elements.scrub.value = String(index);
    this.elements.timeLabel.textContent = `frame ${index + 1}/${this.clock.frameCount} · step ${step}`;
  }

  showError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.elements.error.textContent = message;
    this.elements.error.hidden = false;
    this.elements.emptyHint.hidden = this.panes.length > 0;
  }

  clearError(): void {
    this.errorFromDraw = false;
    this.elements.error.hidden = true;
    this.elements.error.textContent = "";
  }

  status(): ViewerStatus {
    const primary = this.panes[0];
    return {
      replays: this.panes.map((p) => p.name),
      family: primary?.replay.header.family ?? null,
      frameIndex: this.drawnIndex,
      frameCount: this.clock.frameCount,
      step: primary?.frames[this.clock.frameIndex]?.t ?? 0,
      playing: this.clock.playing,
      error: this.elements.error.hidden ? null : this.elements.error.textContent,
      truncated: this.panes.some((p) => p.replay.truncated),
    };
  }

  /** Where agent `agent` of pane `pane` is on the page (for tests driving the pointer). */
  agentClientPosition(agent: number, pane = 0): { x: number; y: number } | null {
    return this.panes[pane]?.agentClientPosition(agent) ?? null;
  }

  /** Plays round and round at `speed` while counting the frames drawn (see `stopMeasuring`). */
  startMeasuring(speed: number): void {
    this.clock.speed = speed;
    this.looping = true;
    this.clock.playing = true;
    this.statistics.start(performance.now());
    this.requestDraw();
  }

  stopMeasuring(): DrawReport {
    this.looping = false;
    this.clock.playing = false;
    return this.statistics.stop(performance.now());
  }
}
