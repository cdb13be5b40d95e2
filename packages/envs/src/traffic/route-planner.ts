/**
 * Joins a flow's anchor roads into a full route, as CityFlow's `Router::updateShortestPath`:
 * consecutive anchors are linked by Dijkstra over roads (edge = a roadLink from one road to the
 * next, cost = the next road's average lane length). Equal consecutive anchors are skipped.
 * Returns the road list, or the index of the first anchor that cannot be reached.
 */
export function expandRoute(
  anchors: readonly number[],
  adjacency: readonly (readonly number[])[],
  roadLengths: readonly number[],
): number[] | number {
  const route = [anchors[0]];
  for (let i = 1; i < anchors.length; i++) {
    if (anchors[i - 1] === anchors[i]) continue;
    const path = shortestPath(anchors[i - 1], anchors[i], adjacency, roadLengths);
    if (path === null) return i;
    route.push(...path);
  }
  return route;
}

/** Roads after `start` up to and including `end`, or null when unreachable. */
function shortestPath(
  start: number,
  end: number,
  adjacency: readonly (readonly number[])[],
  roadLengths: readonly number[],
): number[] | null {
  const distance = new Map<number, number>([[start, 0]]);
  const from = new Map<number, number>();
  const visited = new Set<number>();
  // Small binary heap of [distance, road].
  const heap: [number, number][] = [[0, start]];
  const push = (item: [number, number]) => {
    heap.push(item);
    let k = heap.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (heap[parent][0] <= heap[k][0]) break;
      [heap[parent], heap[k]] = [heap[k], heap[parent]];
      k = parent;
    }
  };
  const pop = (): [number, number] => {
    const top = heap[0];
    const last = heap.pop() as [number, number];
    if (heap.length > 0) {
      heap[0] = last;
      let k = 0;
      for (;;) {
        const left = 2 * k + 1;
        const right = left + 1;
        let smallest = k;
        if (left < heap.length && heap[left][0] < heap[smallest][0]) smallest = left;
        if (right < heap.length && heap[right][0] < heap[smallest][0]) smallest = right;
        if (smallest === k) break;
        [heap[smallest], heap[k]] = [heap[k], heap[smallest]];
        k = smallest;
      }
    }
    return top;
  };
  let found = false;
  while (heap.length > 0) {
    const [, road] = heap[0];
    if (road === end && visited.size > 0) {
      found = true;
      break;
    }
    pop();
    if (visited.has(road)) continue;
    visited.add(road);
    const base = distance.get(road) as number;
    for (const next of adjacency[road]) {
      const candidate = base + roadLengths[next];
      const known = distance.get(next);
      if (known === undefined || candidate < known) {
        distance.set(next, candidate);
        from.set(next, road);
        push([candidate, next]);
      }
    }
  }
  if (!found) return null;
  const path = [end];
  let cursor = from.get(end);
  while (cursor !== undefined && cursor !== start) {
    path.push(cursor);
    cursor = from.get(cursor);
  }
  return path.reverse();
}
