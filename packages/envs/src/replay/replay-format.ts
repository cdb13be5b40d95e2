/**
 * The NetMARL replay format, version 1: what an episode recording holds, shared by the writer
 * (`RecordEpisode`, Node) and every reader (the offline viewer in a browser, tests, tools).
 *
 * A replay is UTF-8 text, one JSON record per line (NDJSON), so it streams to disk with bounded
 * memory, can be read while it is being written, and a file cut anywhere still opens up to its
 * last complete line. Line 1 is the header, line 2 the static scene (drawn once), then one
 * `frame` per recorded step (the reset state is frame t = 0 with no actions) and an
 * `episode-end` after each episode. A file may hold several episodes of the same scene.
 * Files may be gzip-compressed as a whole (readers sniff the gzip magic bytes).
 *
 * Large numeric arrays are `PackedArray`s (little-endian typed arrays in base64): parsing 50 k
 * vehicles per frame as JSON numbers would dominate the viewer's load time, and the bytes are
 * exactly the env's own values (no decimal round trip), which the round-trip tests rely on.
 *
 * Compatibility rule: a reader refuses a higher major `version`; writers may add fields
 * (readers ignore what they do not know), never change the meaning of an existing one.
 * The full description with examples is `docs/replay-format.md`.
 */

export const REPLAY_FORMAT = "netmarl-replay";
export const REPLAY_VERSION = 1;

export type PackedDtype = "float32" | "float64" | "int32" | "uint8" | "uint16" | "int8";

/** A typed array as `{dtype, length, b64}`; `b64` is its little-endian bytes in base64. */
export interface PackedArray {
  readonly dtype: PackedDtype;
  readonly length: number;
  readonly b64: string;
}

/**
 * How the frames of a family are drawn:
 * - `traffic`: CityFlow-style road networks (`SignalControlEnv`, `DialsTrafficEnv`);
 * - `mpe`: particles in a continuous 2-D world;
 * - `grid`: cell worlds (jungle, DIALS warehouse);
 * - `graph`: games whose only geometry is the agent graph (Aloha, coordination game,
 *   prisoners' dilemma, networked coordination, memory cue), drawn at layout positions.
 */
export type ReplayFamily = "traffic" | "mpe" | "grid" | "graph";

export interface ReplayHeader {
  readonly kind: "header";
  readonly format: typeof REPLAY_FORMAT;
  readonly version: number;
  readonly family: ReplayFamily;
  /** Registry id of the environment, e.g. `cityflow/grid`, `mpe/cooperative-navigation`. */
  readonly env: string;
  /** The options the environment was created with (after defaults), for reproduction. */
  readonly envOptions: Record<string, unknown>;
  readonly numAgents: number;
  /** Entries of one agent's observation (`obs` in frames is numAgents × obsDim when present). */
  readonly obsDim: number;
  /** Seed passed to the first `reset`. */
  readonly seed?: number;
  /** Who acted: algorithm id and, where it came from a saved policy, its directory or label. */
  readonly policy?: { readonly algorithm: string; readonly label?: string };
  /** A frame is written every `recordEvery` env steps (and always the first and last). */
  readonly recordEvery: number;
  /** Display names, one per agent (default `agent i`). */
  readonly agentLabels?: readonly string[];
  /** Producer and time, informational. */
  readonly createdBy?: string;
  readonly createdAt?: string;
}

/** Static geometry of a road network. Coordinates in metres, CityFlow's axes (y up). */
export interface TrafficScene {
  readonly kind: "scene";
  readonly family: "traffic";
  /** Intersections: ids, centres, width (0 for virtual/boundary ones), `virtual` flag. */
  readonly intersectionIds: readonly string[];
  readonly intersectionX: PackedArray;
  readonly intersectionY: PackedArray;
  readonly intersectionWidth: PackedArray;
  readonly intersectionVirtual: PackedArray;
  /** Drivables (lanes first, then lane links, the engine's numbering): polyline of each. */
  readonly numLanes: number;
  readonly numDrivables: number;
  /** Polyline points of drivable d: `pointX/Y[pointOffsets[d] … pointOffsets[d+1]-1]`. */
  readonly pointOffsets: PackedArray;
  readonly pointX: PackedArray;
  readonly pointY: PackedArray;
  /** Lane width of each lane (lane links inherit their start lane's). */
  readonly laneWidth: PackedArray;
  /** Road of each lane and its ids, for the hover text. */
  readonly laneRoad: PackedArray;
  readonly roadIds: readonly string[];
  /** Intersection that agent i controls (`-1` when an agent is not an intersection). */
  readonly agentIntersection: PackedArray;
  /**
   * Phases of intersection i are the global phase numbers `intersectionPhaseStart[i] …
   * intersectionPhaseStart[i+1]-1` (int32, numIntersections + 1); a state's `phase[i]` is local.
   */
  readonly intersectionPhaseStart: PackedArray;
  /**
   * Lane links with green in global phase p: `phaseGreenLinks[phaseGreenLinkOffsets[p] …
   * phaseGreenLinkOffsets[p+1]-1]` (int32 lane-link numbers; drivable = numLanes + link).
   */
  readonly phaseGreenLinkOffsets: PackedArray;
  readonly phaseGreenLinks: PackedArray;
}

/** Traffic step: every running vehicle's drivable and distance along it, every light's phase. */
export interface TrafficState {
  readonly vehicleIds: PackedArray; // int32, stable across frames
  readonly vehicleDrivable: PackedArray; // int32
  readonly vehicleDistance: PackedArray; // float64 (the engine's own precision)
  readonly vehicleSpeed: PackedArray; // float64
  /** Local phase index per intersection (int32); −1 = all red (DIALS yellow), virtual ones 0. */
  readonly phase: PackedArray;
  readonly time: number; // simulated seconds
}

/** Static MPE world: entity sizes and kinds (agents first, then landmarks, as the env orders them). */
export interface MpeScene {
  readonly kind: "scene";
  readonly family: "mpe";
  readonly numEntities: number;
  /** 0 agent, 1 landmark, 2 adversary, 3 movable object (push box) — per entity. */
  readonly entityKind: PackedArray;
  readonly entitySize: PackedArray; // float64 radius
  /** World extent to fit in view at start: [xmin, ymin, xmax, ymax]. */
  readonly bounds: readonly [number, number, number, number];
}

export interface MpeState {
  readonly position: PackedArray; // float64, numEntities × 2
  readonly velocity: PackedArray; // float64, numEntities × 2
}

/** Static cell world: size, cell-kind legend, fixed cells (walls, shelves). */
export interface GridScene {
  readonly kind: "scene";
  readonly family: "grid";
  readonly width: number;
  readonly height: number;
  /** Names of the values in `cells` (index = value), e.g. ["empty", "agent", "food"]. */
  readonly cellLegend: readonly string[];
  /** Cells that never change (e.g. shelves), row-major uint8 of legend indices, or absent. */
  readonly staticCells?: PackedArray;
}

export interface GridState {
  /** Row-major uint8 legend indices of every cell (width × height). */
  readonly cells: PackedArray;
  /** Agent positions as cell indices (row × width + col), `-1` when removed/dead. */
  readonly agentCell: PackedArray; // int32
  /** Optional per-agent scalar (hp, carried items …) with its name. */
  readonly agentValue?: PackedArray; // float32
  readonly agentValueName?: string;
  /** Optional per-cell scalar (food hp, item age …) with its name. */
  readonly cellValue?: PackedArray; // float32
  readonly cellValueName?: string;
}

/** Graph games: node positions come from the env's layout (or a force layout when absent). */
export interface GraphScene {
  readonly kind: "scene";
  readonly family: "graph";
  /** Layout positions (any units; the viewer fits them), numAgents × 2, or absent. */
  readonly nodePosition?: PackedArray;
  /** Names of the actions, for the hover text and node colours. */
  readonly actionNames?: readonly string[];
}

export interface GraphState {
  /** Optional per-agent scalar that is the env's state (Aloha's queue length …), with its name. */
  readonly agentValue?: PackedArray; // float32
  readonly agentValueName?: string;
}

export type ReplayScene = TrafficScene | MpeScene | GridScene | GraphScene;
export type ReplayState = TrafficState | MpeState | GridState | GraphState;

/**
 * An agent graph as CSR over agents, in `AgentGraph`'s convention: row i (`targets[offsets[i] …
 * offsets[i+1]-1]`) lists the agents i hears from — for a directed graph, i's parents (edges
 * `targets[e] → i`). Weights and a label when the overlay is an algorithm's own.
 */
export interface ReplayGraph {
  readonly offsets: PackedArray; // int32, numAgents + 1
  readonly targets: PackedArray; // int32
  /** One weight per edge (LToS sharing weight, attention …), absent for unweighted graphs. */
  readonly weights?: PackedArray; // float32
  /** What the edges mean: "neighbours", "sharing weights", "parents" … */
  readonly label: string;
  /** true for directed edges (BN-DAG parent → child); undirected graphs list both directions. */
  readonly directed: boolean;
}

export interface ReplayFrame {
  readonly kind: "frame";
  /** Episode index within the file, from 0. */
  readonly episode: number;
  /** Env steps since reset (0 = reset state). */
  readonly t: number;
  readonly state: ReplayState;
  /** Actions that led to this frame (absent at t = 0), the env's flat action array. */
  readonly actions?: PackedArray;
  /** Rewards of the step that led here (absent at t = 0), float32 per agent. */
  readonly rewards?: PackedArray;
  /** numAgents × obsDim float32 observations the agents see in this frame, when recorded. */
  readonly obs?: PackedArray;
  /** Agent graphs by overlay name; absent = unchanged since the previous frame. */
  readonly graphs?: Readonly<Record<string, ReplayGraph>>;
}

export interface ReplayEpisodeEnd {
  readonly kind: "episode-end";
  readonly episode: number;
  readonly steps: number;
  /** Undiscounted return of each agent, float32. */
  readonly returns: PackedArray;
}

export type ReplayRecord = ReplayHeader | ReplayScene | ReplayFrame | ReplayEpisodeEnd;
