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
