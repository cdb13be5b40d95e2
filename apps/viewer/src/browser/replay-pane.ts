import type { ParsedReplay, ReplayFrame, ReplayGraph } from "@netmarl/envs/replay";
import { describeAgentAtFrame } from "./agent-summary.js";
import { BACKGROUND, overlayColour } from "./colours.js";
import { createRenderer } from "./create-renderer.js";
import type { FamilyRenderer } from "./family-renderer.js";
import { GraphOverlay, resolveEpisodeGraphs } from "./graph-overlay.js";
import { ViewTransform } from "./view-transform.js";

/** How close (CSS pixels) the pointer must be to an agent for its hover summary. */
const HOVER_PIXELS = 14;
/** Overlays start shown up to this many agents; above, a whole graph would hide the scene (toggle on). */
const OVERLAYS_ON_UP_TO_AGENTS = 400;

/**
 * One replay on one canvas: its renderer, the episode shown, the overlay toggles, zoom/pan and the
 * agent under the pointer. The app owns time; `draw` shows whichever frame it is given.
 */
export class ReplayPane {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly renderer: FamilyRenderer;
  readonly view: ViewTransform;
  readonly overlayEnabled = new Map<string, boolean>();
  frames: readonly ReplayFrame[] = [];
  hoveredAgent = -1;
  private readonly context: CanvasRenderingContext2D;
  private readonly staticLayer: HTMLCanvasElement;
  private readonly staticContext: CanvasRenderingContext2D;
  private staticKey = "";
  private readonly overlay: GraphOverlay;
  private readonly overlayList: HTMLElement;
  private readonly titleStep: HTMLElement;
  private effectiveGraphs: Readonly<Record<string, ReplayGraph>>[] = [];
  private overlayNames: string[] = [];
  private pixelRatio = 1;
  private shownFrame: ReplayFrame | null = null;
  private episodeSteps: number | undefined;

  constructor(
    readonly replay: ParsedReplay,
    readonly name: string,
    sharedView: ViewTransform | null,
    private readonly onOverlayToggle: () => void,
  ) {
    this.renderer = createRenderer(replay);
    this.view = sharedView ?? new ViewTransform(this.renderer.yUp);
    this.overlay = new GraphOverlay(replay.header.numAgents);
    this.element = document.createElement("section");
    this.element.className = "pane";
    const title = document.createElement("div");
    title.className = "pane-title";
    const { header } = replay;
    const who = header.policy
      ? ` · ${header.policy.algorithm}${header.policy.label ? ` (${header.policy.label})` : ""}`
      : "";
    const seed = header.seed === undefined ? "" : ` · seed ${header.seed}`;
    title.textContent = `${name} · ${header.env}${who}${seed} · ${header.numAgents} agents`;
    this.titleStep = document.createElement("span");
    this.titleStep.className = "pane-step";
    title.append(" ", this.titleStep);
    this.canvas = document.createElement("canvas");
    this.overlayList = document.createElement("div");
    this.overlayList.className = "overlay-list";
    this.element.append(title, this.canvas, this.overlayList);
    this.context = this.canvas.getContext("2d", { alpha: false }) as CanvasRenderingContext2D;
    this.staticLayer = document.createElement("canvas");
    this.staticContext = this.staticLayer.getContext("2d") as CanvasRenderingContext2D;
  }

  get episodes() {
    return this.replay.episodes;
  }

  /** Shows episode `index` (or the last one when this replay has fewer). */
  setEpisode(index: number): void {
    const episode = this.replay.episodes[Math.min(index, this.replay.episodes.length - 1)];
    this.frames = episode?.frames ?? [];
    this.episodeSteps = episode?.end?.steps;
    this.effectiveGraphs = resolveEpisodeGraphs(this.frames);
    const names = new Set<string>();
    for (const frame of this.frames) for (const name of Object.keys(frame.graphs ?? {})) names.add(name);
    this.overlayNames = [...names];
    this.buildOverlayList();
  }

  private buildOverlayList(): void {
    this.overlayList.replaceChildren();
    const last = this.effectiveGraphs[this.effectiveGraphs.length - 1] ?? {};
    this.overlayNames.forEach((name, index) => {
      if (!this.overlayEnabled.has(name))
        this.overlayEnabled.set(name, this.replay.header.numAgents <= OVERLAYS_ON_UP_TO_AGENTS);
      const graph = last[name];
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = this.overlayEnabled.get(name) ?? true;
      box.dataset.overlay = name;
      box.addEventListener("change", () => {
        this.overlayEnabled.set(name, box.checked);
        this.onOverlayToggle();
      });
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = overlayColour(index);
      const traits = [graph?.directed ? "directed" : "", graph?.weights ? "weighted by edge weight" : ""]
        .filter((t) => t !== "")
        .join(", ");
      label.append(box, swatch, `${name}: ${graph?.label ?? ""}${traits ? ` (${traits})` : ""}`);
      this.overlayList.append(label);
    });
  }

  setAllOverlays(enabled: boolean): void {
    for (const name of this.overlayNames) this.overlayEnabled.set(name, enabled);
    for (const box of this.overlayList.querySelectorAll("input")) box.checked = enabled;
  }

  /** The last frame at or before env step `t` (the first frame when `t` precedes them all). */
  frameIndexAtStep(t: number): number {
    let low = 0;
    let high = this.frames.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.frames[middle] as ReplayFrame).t <= t) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** Matches the canvas to its box; returns true when the size changed. */
  resize(): boolean {
    const width = Math.max(1, this.canvas.clientWidth);
    const height = Math.max(1, this.canvas.clientHeight);
    this.pixelRatio = window.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * this.pixelRatio);
    const pixelHeight = Math.round(height * this.pixelRatio);
    if (this.canvas.width === pixelWidth && this.canvas.height === pixelHeight) return false;
    this.canvas.width = pixelWidth;
    this.canvas.height = pixelHeight;
    this.view.resize(width, height);
    return true;
  }

  fit(): void {
    this.view.fit(this.renderer.bounds());
  }

  /** Redraws the static geometry only when zoom, pan or size changed. */
  private drawStaticLayer(): void {
    const key = `${this.view.version}:${this.canvas.width}x${this.canvas.height}`;
    if (key === this.staticKey) return;
    this.staticKey = key;
    this.staticLayer.width = this.canvas.width;
    this.staticLayer.height = this.canvas.height;
    const context = this.staticContext;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = BACKGROUND;
    context.fillRect(0, 0, this.staticLayer.width, this.staticLayer.height);
    this.view.applyWorld(context, this.pixelRatio);
    this.renderer.drawStatic(context, this.view);
  }

  /** Draws frame `frameIndex`; an error (a damaged frame) names this pane's replay. */
  draw(frameIndex: number): void {
    try {
      this.drawFrame(frameIndex);
    } catch (error) {
      throw new Error(`${this.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private drawFrame(frameIndex: number): void {
    const frame = this.frames[frameIndex];
    const context = this.context;
    this.drawStaticLayer();
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.drawImage(this.staticLayer, 0, 0);
    if (frame === undefined) return;
    this.shownFrame = frame;
    this.view.applyWorld(context, this.pixelRatio);
    this.renderer.drawFrame(context, this.view, frame, this.pixelRatio);
    this.view.applyScreen(context, this.pixelRatio);
    const graphs = this.effectiveGraphs[frameIndex] ?? {};
    const positions = this.renderer.agentPositions(frame);
    const markerRadius = this.renderer.markerRadiusPixels(this.view);
    for (let index = 0; index < this.overlayNames.length; index++) {
      const name = this.overlayNames[index] as string;
      const graph = graphs[name];
      if (graph === undefined || this.overlayEnabled.get(name) === false) continue;
      this.overlay.draw(context, this.view, graph, name, overlayColour(index), positions, markerRadius);
    }
    if (this.hoveredAgent >= 0) this.drawHoverRing(context, positions);
    this.titleStep.textContent = `step ${frame.t}${this.episodeSteps === undefined ? "" : ` of ${this.episodeSteps}`}`;
  }

  private drawHoverRing(context: CanvasRenderingContext2D, positions: Float64Array): void {
    const x = this.view.screenX(positions[2 * this.hoveredAgent] as number);
    const y = this.view.screenY(positions[2 * this.hoveredAgent + 1] as number);
    if (Number.isNaN(x) || Number.isNaN(y)) return;
    context.strokeStyle = "#111";
    context.lineWidth = 2;
    context.beginPath();
    context.arc(x, y, 10, 0, 2 * Math.PI);
    context.stroke();
  }

  /** The agent nearest to a pointer position within HOVER_PIXELS, or -1. */
  agentAt(screenX: number, screenY: number): number {
    if (this.shownFrame === null) return -1;
    const positions = this.renderer.agentPositions(this.shownFrame);
    let best = -1;
    let bestDistance = HOVER_PIXELS;
    for (let agent = 0; agent < this.replay.header.numAgents; agent++) {
      const distance = Math.hypot(
        this.view.screenX(positions[2 * agent] as number) - screenX,
        this.view.screenY(positions[2 * agent + 1] as number) - screenY,
      );
      if (distance < bestDistance) {
        bestDistance = distance;
        best = agent;
      }
    }
    return best;
  }

  /** Where `agent` is on the page (client pixels) in the frame on screen, or null. */
  agentClientPosition(agent: number): { x: number; y: number } | null {
    if (this.shownFrame === null) return null;
    const positions = this.renderer.agentPositions(this.shownFrame);
    const box = this.canvas.getBoundingClientRect();
    const x = box.left + this.view.screenX(positions[2 * agent] as number);
    const y = box.top + this.view.screenY(positions[2 * agent + 1] as number);
    return Number.isFinite(x) && Number.isFinite(y) ? { x, y } : null;
  }

  /** Hover text of `agent` in the frame on screen. */
  describeAgent(agent: number): string[] {
    if (this.shownFrame === null) return [];
    const scene = this.replay.scene;
    const actionNames = scene.family === "graph" ? scene.actionNames : undefined;
    return describeAgentAtFrame(
      this.replay.header,
      this.shownFrame,
      agent,
      this.renderer.describeAgent(this.shownFrame, agent),
      actionNames,
    );
  }
}
