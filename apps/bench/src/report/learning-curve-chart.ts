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
      { name: "x", type: "linear", range: "width", zero: false, domain: { data: "points", field: "x" } },
      {
        name: "y",
        type: "linear",
        range: "height",
        nice: true,
        zero: false,
        domain: { data: "points", fields: ["low", "high"] },
      },
      { name: "color", type: "ordinal", range: "category", domain: { data: "points", field: "series" } },
    ],
    axes: [
      { orient: "bottom", scale: "x", title: "environment steps", format: "~s" },
      { orient: "left", scale: "y", title: yTitle },
    ],
    legends: [{ fill: "color", stroke: "color", title: "algorithm", labelLimit: 260 }],
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
          {
            type: "line",
            from: { data: "one-series" },
            encode: {
              enter: {
                x: { scale: "x", field: "x" },
                y: { scale: "y", field: "y" },
                stroke: { scale: "color", field: "series" },
                strokeWidth: { value: 2 },
              },
            },
          },
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
