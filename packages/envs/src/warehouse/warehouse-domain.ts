/**
 * The 5×5 robot domain of the DIALS warehouse, shared by the global environment and the local
 * simulator: legal moves, shelf cells, the observation's cell order and the scripted robots'
 * shortest paths. Cells are local indices `row * 5 + col`.
 */

/** Side of a robot's domain (`robot_domain_size: [5, 5]`). */
export const DOMAIN_SIDE = 5;
/** Cells of a domain. */
export const DOMAIN_CELLS = DOMAIN_SIDE * DOMAIN_SIDE;
/** Actions: 0 UP (row − 1), 1 DOWN, 2 LEFT (col − 1), 3 RIGHT. */
export const WAREHOUSE_NUM_ACTIONS = 4;
/** Observation size (`OBS_SIZE`): 25 one-hot robot cells + 12 border item bits. */
export const WAREHOUSE_OBS_DIM = DOMAIN_CELLS + 12;
/** The robot's starting cell, the domain centre. */
export const DOMAIN_CENTRE = 2 * DOMAIN_SIDE + 2;
/** Influence-source value meaning "no neighbour robot on the shared cells". */
export const NO_NEIGHBOUR_ON_BORDER = 3;

const LAST = DOMAIN_SIDE - 1;

/** True for the four corners, where no robot may stand. */
export function isCorner(row: number, col: number): boolean {
  return (row === 0 || row === LAST) && (col === 0 || col === LAST);
}

/**
 * The shelf cells of a domain in row-major order: its border cells without the corners (items
 * appear only there, so every item of a domain is on a cell it shares with a neighbour or the wall).
 */
export const SHELF_CELLS: Int32Array = (() => {
  const cells: number[] = [];
  for (let row = 0; row < DOMAIN_SIDE; row++) {
    for (let col = 0; col < DOMAIN_SIDE; col++) {
      const border = row === 0 || row === LAST || col === 0 || col === LAST;
      if (border && !isCorner(row, col)) cells.push(row * DOMAIN_SIDE + col);
    }
  }
  return Int32Array.from(cells);
})();

/**
 * The observation's item bits: `obs[[0, −1], 1:−1]` (top row cols 1..3, bottom row cols 1..3),
 * then `obs[1:−1, [0, −1]]` (rows 1..3 × {left, right}), as `Robot.observe(…, 'vector')`.
 */
export const OBSERVED_ITEM_CELLS: Int32Array = (() => {
  const cells: number[] = [];
  for (const row of [0, LAST]) for (let col = 1; col < LAST; col++) cells.push(row * DOMAIN_SIDE + col);
  for (let row = 1; row < LAST; row++) for (const col of [0, LAST]) cells.push(row * DOMAIN_SIDE + col);
  return Int32Array.from(cells);
})();

/**
 * `MOVES[cell * 4 + action]` = the cell after the action (`Robot.act` + `set_position`): UP/DOWN
 * only off the left/right border columns, LEFT/RIGHT only off the top/bottom border rows, and the
 * target must be inside the domain and not a corner; otherwise the robot stays.
 */
export const MOVES: Int8Array = (() => {
  const table = new Int8Array(DOMAIN_CELLS * WAREHOUSE_NUM_ACTIONS);
  for (let row = 0; row < DOMAIN_SIDE; row++) {
    for (let col = 0; col < DOMAIN_SIDE; col++) {
      const cell = row * DOMAIN_SIDE + col;
      const verticalAllowed = col !== 0 && col !== LAST;
      const horizontalAllowed = row !== 0 && row !== LAST;
      const targets: Array<[number, number, boolean]> = [
        [row - 1, col, verticalAllowed],
        [row + 1, col, verticalAllowed],
        [row, col - 1, horizontalAllowed],
        [row, col + 1, horizontalAllowed],
      ];
      targets.forEach(([r, c, allowed], action) => {
        const inside = r >= 0 && r <= LAST && c >= 0 && c <= LAST && !isCorner(r, c);
        table[cell * WAREHOUSE_NUM_ACTIONS + action] = allowed && inside ? r * DOMAIN_SIDE + c : cell;
      });
    }
  }
  return table;
})();

/**
 * Shortest paths of the scripted robots on the domain graph of `Robot._create_graph`: non-corner
 * cells; inner cells link to their 4 neighbours, border cells only to their inward neighbour.
 * `firstAction[from * 25 + to]` is the first action of the path networkx's
 * `all_pairs_dijkstra_path` returns (−1 when from = to), `distance[from * 25 + to]` its length.
 *
 * Ties between equally short paths are broken as networkx does with unit weights: breadth-first,
 * each cell keeping the first cell that reached it, neighbours visited in the graph's adjacency
 * order — which is the order edges were first added while cells are scanned row-major, each
 * cell adding its neighbours as [right, left, down, up].
 */
export const SHORTEST_PATHS: { firstAction: Int8Array; distance: Int8Array } = (() => {
  const adjacency: number[][] = Array.from({ length: DOMAIN_CELLS }, () => []);
  const addEdge = (a: number, b: number) => {
    if (adjacency[a].includes(b)) return;
    adjacency[a].push(b);
    adjacency[b].push(a);
  };
  const inner = (x: number) => x > 0 && x < LAST;
  for (let row = 0; row < DOMAIN_SIDE; row++) {
    for (let col = 0; col < DOMAIN_SIDE; col++) {
      if (isCorner(row, col)) continue;
      const cell = row * DOMAIN_SIDE + col;
      let neighbours: Array<[number, number]>;
      if (inner(row) && inner(col)) {
        neighbours = [
          [row, col + 1],
          [row, col - 1],
          [row + 1, col],
          [row - 1, col],
        ];
      } else if (row === 0) neighbours = [[1, col]];
      else if (row === LAST) neighbours = [[LAST - 1, col]];
      else if (col === 0) neighbours = [[row, 1]];
      else neighbours = [[row, LAST - 1]];
      for (const [r, c] of neighbours) addEdge(cell, r * DOMAIN_SIDE + c);
    }
  }
  const firstAction = new Int8Array(DOMAIN_CELLS * DOMAIN_CELLS).fill(-1);
  const distance = new Int8Array(DOMAIN_CELLS * DOMAIN_CELLS).fill(-1);
  for (let source = 0; source < DOMAIN_CELLS; source++) {
    if (isCorner(Math.floor(source / DOMAIN_SIDE), source % DOMAIN_SIDE)) continue;
    const firstStep = new Int32Array(DOMAIN_CELLS).fill(-1);
    const queue = [source];
    distance[source * DOMAIN_CELLS + source] = 0;
    for (let head = 0; head < queue.length; head++) {
      const cell = queue[head];
      for (const next of adjacency[cell]) {
        if (distance[source * DOMAIN_CELLS + next] >= 0) continue;
        distance[source * DOMAIN_CELLS + next] = distance[source * DOMAIN_CELLS + cell] + 1;
        firstStep[next] = cell === source ? next : firstStep[cell];
        queue.push(next);
      }
    }
    for (let target = 0; target < DOMAIN_CELLS; target++) {
      const step = firstStep[target];
      if (step < 0) continue;
      firstAction[source * DOMAIN_CELLS + target] = actionBetween(source, step);
    }
  }
  return { firstAction, distance };
})();

function actionBetween(from: number, to: number): number {
  const delta = to - from;
  if (delta === -DOMAIN_SIDE) return 0;
  if (delta === DOMAIN_SIDE) return 1;
  return delta === -1 ? 2 : 3;
}

/**
 * The cell of agent i's domain that a neighbour robot stands on when influence source `source`
 * takes value `value` < 3 (`LocalWarehouse._find_loc`): source 0 = right neighbour (right column,
 * rows 1..3), 1 = below (bottom row, cols 1..3), 2 = left (left column), 3 = above (top row).
 */
export function influenceCell(source: number, value: number): number {
  switch (source) {
    case 0:
      return (value + 1) * DOMAIN_SIDE + LAST;
    case 1:
      return LAST * DOMAIN_SIDE + value + 1;
    case 2:
      return (value + 1) * DOMAIN_SIDE;
    default:
      return value + 1;
  }
}

/**
 * The influence-source value of a neighbour robot standing on `neighbourCell` of its own domain,
 * seen from the agent's side `source` (`GlobalWarehouse.get_infs`): the index of the shared cell
 * it stands on (0..2), or 3 when it is not on the shared border.
 */
export function influenceValue(source: number, neighbourCell: number): number {
  const row = Math.floor(neighbourCell / DOMAIN_SIDE);
  const col = neighbourCell % DOMAIN_SIDE;
  switch (source) {
    case 0: // right neighbour: its left column is our right column
      return col === 0 && row >= 1 && row <= 3 ? row - 1 : NO_NEIGHBOUR_ON_BORDER;
    case 1: // neighbour below: its top row is our bottom row
      return row === 0 && col >= 1 && col <= 3 ? col - 1 : NO_NEIGHBOUR_ON_BORDER;
    case 2: // left neighbour: its right column is our left column
      return col === LAST && row >= 1 && row <= 3 ? row - 1 : NO_NEIGHBOUR_ON_BORDER;
    default: // neighbour above: its bottom row is our top row
      return row === LAST && col >= 1 && col <= 3 ? col - 1 : NO_NEIGHBOUR_ON_BORDER;
  }
}

/**
 * Writes one domain's 37-dim observation at `out[offset…]`: the one-hot robot cell, then the item
 * bits of {@link OBSERVED_ITEM_CELLS}. Local cell c holds an item when
 * `itemWaiting[base + cellOffsets[c]] >= 0` (the global grid, or the local one with identity offsets).
 */
export function writeDomainObservation(
  out: Float32Array,
  offset: number,
  robotCell: number,
  itemWaiting: Int32Array,
  cellOffsets: Int32Array,
  base: number,
): void {
  out.fill(0, offset, offset + WAREHOUSE_OBS_DIM);
  out[offset + robotCell] = 1;
  for (let k = 0; k < OBSERVED_ITEM_CELLS.length; k++) {
    if (itemWaiting[base + cellOffsets[OBSERVED_ITEM_CELLS[k]]] >= 0) out[offset + DOMAIN_CELLS + k] = 1;
  }
}
