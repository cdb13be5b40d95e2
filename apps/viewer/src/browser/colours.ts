/** Categorical colours (Tableau 10): phases, actions, overlays. */
export const CATEGORY_COLOURS = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
] as const;

export function categoryColour(index: number): string {
  const n = CATEGORY_COLOURS.length;
  return CATEGORY_COLOURS[((index % n) + n) % n] as string;
}

export const BACKGROUND = "#fbfbf8";

/** Overlay edges: dark hues apart from the categorical ones, so edges never read as an action or phase. */
export const OVERLAY_COLOURS = ["#222222", "#8e2dc5", "#0f7f81", "#a0522d"] as const;

export function overlayColour(index: number): string {
  return OVERLAY_COLOURS[index % OVERLAY_COLOURS.length] as string;
}
