import { type GridScene, type GridState, type ReplayFrame, unpackArray } from "@netmarl/envs/replay";
import { categoryColour } from "./colours.js";
import type { FamilyRenderer, NumberArray } from "./family-renderer.js";
import { formatNumber } from "./format-number.js";
import { FrameCache } from "./frame-cache.js";
import type { Bounds, ViewTransform } from "./view-transform.js";

/** Colours of well-known legend names; other names get a categorical colour by index. */
const NAMED_CELL_COLOURS: Readonly<Record<string, readonly [number, number, number]>> = {
  empty: [246, 246, 242],
  floor: [246, 246, 242],
  wall: [70, 70, 70],
  obstacle: [70, 70, 70],
  shelf: [140, 110, 80],
  food: [89, 161, 79],
  item: [242, 142, 43],
  agent: [200, 214, 235],
};
const AGENT_COLOUR = "#1f4e9c";

interface DecodedGrid {
  readonly cells: NumberArray;
  readonly agentCell: NumberArray;
  readonly agentValue: NumberArray | undefined;
  readonly cellValue: NumberArray | undefined;
}

function parseHex(colour: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16)) as [number, number, number];
}

/**
 * Cell worlds: the cells painted into a width × height image (one pixel per cell, scaled up
 * without smoothing — one drawImage however large the grid), agents as circles on top.
 */
export class GridRenderer implements FamilyRenderer {
  readonly yUp = false;
  private readonly width: number;
  private readonly height: number;
  private readonly legendRgb: (readonly [number, number, number])[];
  private readonly staticCells: NumberArray | undefined;
  private readonly cellImage: ImageData;
  private readonly cellCanvas: OffscreenCanvas;
  private readonly cellContext: OffscreenCanvasRenderingContext2D;
  private readonly cache = new FrameCache<ReplayFrame, DecodedGrid>(6);
  private readonly positions: Float64Array;
  private paintedFrame: ReplayFrame | null = null;

  constructor(
    scene: GridScene,
    private readonly numAgents: number,
  ) {
    if (
      !Number.isInteger(scene.width) ||
      !Number.isInteger(scene.height) ||
      scene.width < 1 ||
      scene.height < 1
    ) {
      throw new Error("replay: scene.width and scene.height must be positive integers");
    }
    if (!Array.isArray(scene.cellLegend)) throw new Error("replay: scene.cellLegend must be a list of names");
    this.width = scene.width;
    this.height = scene.height;
    this.legendRgb = scene.cellLegend.map(
      (name, index) => NAMED_CELL_COLOURS[name] ?? parseHex(categoryColour(index)),
    );
    this.staticCells =
      scene.staticCells === undefined ? undefined : unpackArray(scene.staticCells, "scene.staticCells");
    this.cellCanvas = new OffscreenCanvas(this.width, this.height);
    this.cellContext = this.cellCanvas.getContext("2d") as OffscreenCanvasRenderingContext2D;
    this.cellImage = this.cellContext.createImageData(this.width, this.height);
    this.positions = new Float64Array(numAgents * 2);
  }

  bounds(): Bounds {
    return [0, 0, this.width, this.height];
  }

  drawStatic(context: CanvasRenderingContext2D, view: ViewTransform): void {
    context.strokeStyle = "#bcbcb6";
    context.lineWidth = 1 / view.scale;
    context.strokeRect(0, 0, this.width, this.height);
  }

  private decode(frame: ReplayFrame): DecodedGrid {
    return this.cache.get(frame, () => {
      const state = frame.state as GridState;
      const where = `frame t=${frame.t} state`;
      const cells = unpackArray(state.cells, `${where}.cells`);
      if (cells.length !== this.width * this.height) {
        throw new Error(
          `replay: ${where}.cells must hold width × height = ${this.width * this.height} cells`,
        );
      }
      return {
        cells,
        agentCell: unpackArray(state.agentCell, `${where}.agentCell`),
        agentValue:
          state.agentValue === undefined ? undefined : unpackArray(state.agentValue, `${where}.agentValue`),
        cellValue:
          state.cellValue === undefined ? undefined : unpackArray(state.cellValue, `${where}.cellValue`),
      };
    });
  }

  private paintCells(frame: ReplayFrame, cells: NumberArray): void {
    if (this.paintedFrame === frame) return;
    const data = this.cellImage.data;
    const fallback = this.legendRgb[0] ?? [246, 246, 242];
    for (let c = 0; c < cells.length; c++) {
      // A frame's empty cell (0) shows the static layer under it (shelves do not move).
      const value =
        (cells[c] as number) === 0 && this.staticCells ? (this.staticCells[c] as number) : cells[c];
      const rgb = this.legendRgb[value as number] ?? fallback;
      data[4 * c] = rgb[0];
      data[4 * c + 1] = rgb[1];
      data[4 * c + 2] = rgb[2];
      data[4 * c + 3] = 255;
    }
    this.cellContext.putImageData(this.cellImage, 0, 0);
    this.paintedFrame = frame;
  }

  drawFrame(context: CanvasRenderingContext2D, view: ViewTransform, frame: ReplayFrame): void {
    const { cells, agentCell } = this.decode(frame);
    this.paintCells(frame, cells);
    context.imageSmoothingEnabled = false;
    context.drawImage(this.cellCanvas, 0, 0, this.width, this.height);
    if (view.scale >= 8) {
      context.strokeStyle = "rgba(0, 0, 0, 0.08)";
      context.lineWidth = 1 / view.scale;
      context.beginPath();
      for (let x = 1; x < this.width; x++) {
        context.moveTo(x, 0);
        context.lineTo(x, this.height);
      }
      for (let y = 1; y < this.height; y++) {
        context.moveTo(0, y);
        context.lineTo(this.width, y);
      }
      context.stroke();
    }
    const radius = Math.max(0.35, 2 / view.scale);
    context.fillStyle = AGENT_COLOUR;
    context.beginPath();
    for (let agent = 0; agent < agentCell.length; agent++) {
      const cell = agentCell[agent] as number;
      if (cell < 0) continue;
      const x = (cell % this.width) + 0.5;
      const y = Math.floor(cell / this.width) + 0.5;
      context.moveTo(x + radius, y);
      context.arc(x, y, radius, 0, 2 * Math.PI);
    }
    context.fill();
  }

  markerRadiusPixels(view: ViewTransform): number {
    return Math.max(0.35 * view.scale, 2);
  }

  agentPositions(frame: ReplayFrame): Float64Array {
    const { agentCell } = this.decode(frame);
    for (let agent = 0; agent < this.numAgents; agent++) {
      const cell = (agentCell[agent] as number | undefined) ?? -1;
      this.positions[2 * agent] = cell >= 0 ? (cell % this.width) + 0.5 : Number.NaN;
      this.positions[2 * agent + 1] = cell >= 0 ? Math.floor(cell / this.width) + 0.5 : Number.NaN;
    }
    return this.positions;
  }

  describeAgent(frame: ReplayFrame, agent: number): string[] {
    const { agentCell, agentValue, cellValue } = this.decode(frame);
    const cell = agentCell[agent] as number;
    if (cell < 0) return ["removed"];
    const state = frame.state as GridState;
    const lines = [`cell (row ${Math.floor(cell / this.width)}, column ${cell % this.width})`];
    if (agentValue !== undefined) {
      lines.push(`${state.agentValueName ?? "value"} ${formatNumber(agentValue[agent] as number)}`);
    }
    if (cellValue !== undefined) {
      lines.push(`cell ${state.cellValueName ?? "value"} ${formatNumber(cellValue[cell] as number)}`);
    }
    return lines;
  }
}
