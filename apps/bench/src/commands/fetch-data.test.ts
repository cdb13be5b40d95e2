import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CITYFLOW_DATASETS, FetchDataError, fetchDatasets } from "./fetch-data.js";

// A local stand-in for the raw-file host, serving the team's copies from ../shared/data by the
// same <repository>/<commit>/<path> URLs; `corrupt` flips one byte of every response.
const sharedData = join(import.meta.dirname, "..", "..", "..", "..", "..", "shared", "data", "cityflow");
const localCopy: Record<string, string> = {
  "roadnet_4X4.json": join(sharedData, "hangzhou_4x4_gudang_18041610_1h", "roadnet_4X4.json"),
  "hangzhou_4x4_gudang_18041610_1h.json": join(
    sharedData,
    "hangzhou_4x4_gudang_18041610_1h",
    "hangzhou_4x4_gudang_18041610_1h.json",
  ),
  "roadnet_6_6.json": join(sharedData, "ltos_small_6x6", "roadnet_6_6.json"),
  "anon_6_6_small_2570_bi.json": join(sharedData, "ltos_small_6x6", "anon_6_6_small_2570_bi.json"),
};
let server: Server;
let baseUrl = "";
let requests = 0;
const scratch = mkdtempSync(join(tmpdir(), "netmarl-fetch-"));

beforeAll(async () => {
  server = createServer((request, response) => {
    requests++;
    const corrupt = request.url!.startsWith("/corrupt/");
    const name = request.url!.split("/").pop()!;
    const file = localCopy[name];
    if (!file) {
      response.writeHead(404, { connection: "close" }).end();
      return;
    }
    const bytes = readFileSync(file);
    if (corrupt) bytes[100] ^= 1;
    response.writeHead(200, { "content-type": "application/json", connection: "close" }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("fetch-data", () => {
  it("downloads every dataset file, verifies it, and uses the cache the second time", async () => {
    const cache = join(scratch, "cache");
    const first = await fetchDatasets({ cacheDirectory: cache, baseUrl });
    expect(first.map((f) => f.status)).toEqual(["downloaded", "downloaded", "downloaded", "downloaded"]);
    expect(readFileSync(join(cache, "ltos_small_6x6", "roadnet_6_6.json"))).toEqual(
      readFileSync(localCopy["roadnet_6_6.json"]),
    );
    const before = requests;
    const second = await fetchDatasets({ cacheDirectory: cache, baseUrl });
    expect(second.every((f) => f.status === "cached")).toBe(true);
    expect(requests).toBe(before);
    expect(CITYFLOW_DATASETS.flatMap((d) => d.files)).toHaveLength(4);
  });

  it("refuses a file whose checksum does not match, saving nothing", async () => {
    const cache = join(scratch, "corrupt-cache");
    await expect(fetchDatasets({ cacheDirectory: cache, baseUrl: `${baseUrl}/corrupt` })).rejects.toThrow(
      /checksum mismatch/,
    );
    expect(existsSync(join(cache, "hangzhou_4x4_gudang_18041610_1h", "roadnet_4X4.json"))).toBe(false);
  });

  it("says clearly when the host cannot be reached and points at the generator", async () => {
    const unreachable = "http://127.0.0.1:9"; // the discard port: nothing listens there
    const error = await fetchDatasets({
      cacheDirectory: join(scratch, "offline"),
      baseUrl: unreachable,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(FetchDataError);
    expect(error.message).toMatch(/Could not download .*offline.*synthetic CityFlow grids/);
  });
});
