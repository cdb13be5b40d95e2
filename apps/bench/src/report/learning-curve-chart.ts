import * as vega from "vega";
import type { CurvePoint } from "./aggregate-suite.js";

/** One line (with its 95 % band) per series. */
export interface ChartSeries {
  name: string;
  points: CurvePoint[];
}

/**
 * Renders learning curves (x = env steps, mean line and 95 % CI band per series) to a standalone
 * SVG string with Vega, server-side: the report needs no script or CDN to show it.
 */
export async function renderLearningCurveSvg(
  title: string,
  yTitle: string,
  series: ChartSeries[],
  /** The right end of the x axis: the longest run's steps (no axis past the end of the runs). */
  maxEnvSteps: number,
  /** Another x axis (the performance profile's return thresholds): left end, title, d3 format. */
  xAxis: { min?: number; title?: string; format?: string; legendTitle?: string } = {},
): Promise<string> {
  const values = series.flatMap((s) =>
    s.points.map((p) => ({ series: s.name, x: p.envSteps, y: p.mean, low: p.low, high: p.high })),
  );
  const spec: vega.Spec = {
    width: 520,
    height: 260,
    padding: 8,
    title: { text: title, anchor: "start" },
    data: [{ name: "points", values }],
    scales: [
      {
        name: "x",
        type: "linear",
        range: "width",
        domain: [xAxis.min ?? 0, maxEnvSteps],
        nice: false,
        zero: false,
      },
      { name: "y", type: "linear", range: "height", nice: true, zero: false, domain: valueDomain(values) },
      { name: "color", type: "ordinal", range: "category", domain: { data: "points", field: "series" } },
    ],
    axes: [
      {
        orient: "bottom",
        scale: "x",
        title: xAxis.title ?? "environment steps",
        format: xAxis.format ?? "~s",
      },
      { orient: "left", scale: "y", title: yTitle },
    ],
    legends: [{ fill: "color", stroke: "color", title: xAxis.legendTitle ?? "algorithm", labelLimit: 260 }],
    marks: [
      {
        type: "group",
        from: { facet: { name: "one-series", data: "points", groupby: "series" } },
        marks: [
          {
            type: "area",
            from: { data: "one-series" },
            encode: {
              enter: {
                x: { scale: "x", field: "x" },
                y: { scale: "y", field: "low" },
                y2: { scale: "y", field: "high" },
                fill: { scale: "color", field: "series" },
                fillOpacity: { value: 0.18 },
              },
            },
          },
          meanMark("line", { stroke: { scale: "color", field: "series" }, strokeWidth: { value: 2 } }),
          // A point per measurement: a series with one point (a short run) draws no line at all.
          meanMark("symbol", { fill: { scale: "color", field: "series" }, size: { value: 36 } }),
        ],
      },
    ],
  };
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A mark of one series' means (x = env steps, y = mean) with its own styling. */
function meanMark(type: "line" | "symbol", style: vega.SymbolEncodeEntry & vega.LineEncodeEntry): vega.Mark {
  return {
    type,
    from: { data: "one-series" },
    encode: { enter: { x: { scale: "x", field: "x" }, y: { scale: "y", field: "y" }, ...style } },
  } as vega.Mark;
}

/**
 * The y range of the bands, widened around a constant series (a zero-width domain makes Vega draw
 * ticks like `0.000000`): ±5 % of the value, at least ±0.5.
 */
function valueDomain(values: readonly { low: number; high: number }[]): [number, number] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (Number.isFinite(value.low)) low = Math.min(low, value.low);
    if (Number.isFinite(value.high)) high = Math.max(high, value.high);
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
  const spread = high - low;
  if (spread > 1e-9 * Math.max(1, Math.abs(high))) return [low, high];
  const pad = Math.max(0.5, Math.abs(high) * 0.05);
  return [low - pad, high + pad];
}
