import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CsvMetricsSink, readMetricsCsv } from "./csv-metrics-sink.js";

const directory = mkdtempSync(join(tmpdir(), "netmarl-csv-sink-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("CsvMetricsSink", () => {
  it("writes one long-form row per metric, quoting what needs it, and reads back numbers and text", () => {
    const path = join(directory, "rows.csv");
    const sink = new CsvMetricsSink(path);
    sink.write({ kind: "episode", envSteps: 25, "episode/return": -1.5, "episode/length": 25 });
    sink.write({ kind: "summary", envSteps: 50, note: 'a "quoted", text' });
    sink.close();
    expect(readFileSync(path, "utf8")).toBe(
      "kind,envSteps,metric,value\n" +
        "episode,25,episode/return,-1.5\n" +
        "episode,25,episode/length,25\n" +
        'summary,50,note,"a ""quoted"", text"\n',
    );
    expect(readMetricsCsv(readFileSync(path, "utf8"))).toEqual([
      { kind: "episode", envSteps: 25, metric: "episode/return", value: -1.5 },
      { kind: "episode", envSteps: 25, metric: "episode/length", value: 25 },
      { kind: "summary", envSteps: 50, metric: "note", value: 'a "quoted", text' },
    ]);
  });

  it("appends to an existing file without a second header; truncateAfter drops later rows and a torn tail", () => {
    const path = join(directory, "resume.csv");
    const first = new CsvMetricsSink(path);
    first.write({ kind: "episode", envSteps: 10, "episode/return": 1 });
    first.write({ kind: "episode", envSteps: 20, "episode/return": 2 });
    first.close();
    appendFileSync(path, "episode,30,episode/ret"); // a write cut by a crash
    const second = new CsvMetricsSink(path);
    second.truncateAfter(15);
    second.write({ kind: "evaluation", envSteps: 40, "evaluation/return": 4 });
    second.close();
    const rows = readMetricsCsv(readFileSync(path, "utf8"));
    expect(rows.map((row) => [row.kind, row.envSteps, row.value])).toEqual([
      ["episode", 10, 1],
      ["evaluation", 40, 4],
    ]);
  });

  it("refuses a file that is not a metrics CSV", () => {
    expect(() => readMetricsCsv("a,b\n1,2\n")).toThrow(/expected the header "kind,envSteps,metric,value"/);
  });
});
