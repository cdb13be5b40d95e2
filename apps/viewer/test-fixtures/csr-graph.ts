import { packArray, type ReplayGraph } from "@netmarl/envs/replay";

/** A `ReplayGraph` from per-agent target lists (and weights), as the recorders write it. */
export function csrGraph(
  targetsOf: readonly (readonly number[])[],
  options: { label: string; directed: boolean; weightsOf?: readonly (readonly number[])[] },
): ReplayGraph {
  const offsets = new Int32Array(targetsOf.length + 1);
  targetsOf.forEach((targets, agent) => {
    offsets[agent + 1] = (offsets[agent] as number) + targets.length;
  });
  const graph: ReplayGraph = {
    offsets: packArray(offsets),
    targets: packArray(Int32Array.from(targetsOf.flat())),
    label: options.label,
    directed: options.directed,
  };
  return options.weightsOf === undefined
    ? graph
    : { ...graph, weights: packArray(Float32Array.from(options.weightsOf.flat())) };
}
