import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@netmarl/trainers";

/** A public CityFlow dataset: where its files live (repository, commit, path) and their checksums. */
export interface DatasetSource {
  name: string;
  repository: string;
  commit: string;
  files: { path: string; sha256: string; bytes: number }[];
}

/**
 * The datasets of `../shared/data/cityflow/*\/SOURCE.md`. They carry no licence, so NetMARL does not
 * ship them: this command downloads them from their public repositories at the pinned commits and
 * checks every byte against these checksums.
 */
export const CITYFLOW_DATASETS: readonly DatasetSource[] = [
  {
    name: "hangzhou_4x4_gudang_18041610_1h",
    repository: "traffic-signal-control/sample-code",
    commit: "56d2ecf9fad01870fac69a4b30ed6c4546421096",
    files: [
      {
        path: "data/hangzhou_4x4_gudang_18041610_1h/roadnet_4X4.json",
        sha256: "11e2fe89f632e43e81f56ea87a308d544b66f9c5af8a410e16149668d6d376c1",
        bytes: 847_012,
      },
      {
        path: "data/hangzhou_4x4_gudang_18041610_1h/hangzhou_4x4_gudang_18041610_1h.json",
        sha256: "595a6140e6649efe5be1b274eb8b03e8c4029e517c9ac2ad53c9ea556a414213",
        bytes: 899_200,
      },
    ],
  },
  {
    name: "ltos_small_6x6",
    repository: "zhuliwen/RoadnetSZ",
    commit: "80a2785961b9439b6b92637e5cecd42ab5733052",
    files: [
      {
        path: "code/LToS/data/Small/6_6/roadnet_6_6.json",
        sha256: "c604fa997c57bb4a9548f66d6f10802d12ef7035967828e6532fbce51e6801b3",
        bytes: 2_007_068,
      },
      {
        path: "code/LToS/data/Small/6_6/anon_6_6_small_2570_bi.json",
        sha256: "fb1bef33ee74b35d08d78f007ab2128ecb348b7adc9e2d1b4d4a92ba53642a6d",
        bytes: 1_258_107,
      },
    ],
  },
];

/** GitHub's raw file service; `--base-url` points elsewhere (a mirror, a local server in tests). */
export const DEFAULT_DATASET_BASE_URL = "https://raw.githubusercontent.com";

export interface FetchedFile {
  dataset: string;
  file: string;
  status: "downloaded" | "cached";
}

/** Thrown when a download fails or a checksum does not match; the message says what to do. */
export class FetchDataError extends Error {
  override name = "FetchDataError";
}

/**
 * Downloads every dataset file into `<cacheDirectory>/<dataset>/<file name>` unless a copy with the
 * right checksum is already there. Each file is verified before it is renamed into place.
 */
export async function fetchDatasets(options: {
  cacheDirectory: string;
  baseUrl?: string;
  datasets?: readonly DatasetSource[];
  fetchImplementation?: typeof fetch;
}): Promise<FetchedFile[]> {
  const base = (options.baseUrl ?? DEFAULT_DATASET_BASE_URL).replace(/\/+$/, "");
  const download = options.fetchImplementation ?? fetch;
  const fetched: FetchedFile[] = [];
  for (const dataset of options.datasets ?? CITYFLOW_DATASETS) {
    const directory = join(options.cacheDirectory, dataset.name);
    mkdirSync(directory, { recursive: true });
    for (const file of dataset.files) {
      const name = file.path.split("/").pop()!;
      const target = join(directory, name);
      if (existsSync(target) && sha256(readFileSync(target)) === file.sha256) {
        fetched.push({ dataset: dataset.name, file: target, status: "cached" });
        continue;
      }
      const url = `${base}/${dataset.repository}/${dataset.commit}/${file.path}`;
      let bytes: Uint8Array;
      try {
        bytes = await downloadWithRetry(download, url);
      } catch (error) {
        const cause =
          error instanceof Error
            ? ((error.cause as Error | undefined)?.message ?? error.message)
            : String(error);
        throw new FetchDataError(
          `Could not download ${url} (${cause}). This machine may be offline or unable to reach the dataset's host. ` +
            "Without the real maps, generate synthetic CityFlow grids instead (the traffic generator in @netmarl/envs), " +
            "or copy the files by hand into " +
            directory,
        );
      }
      const digest = sha256(bytes);
      if (digest !== file.sha256) {
        throw new FetchDataError(
          `${url}: checksum mismatch (sha256 ${digest}, expected ${file.sha256}); the file was not saved`,
        );
      }
      writeFileAtomic(target, bytes);
      fetched.push({ dataset: dataset.name, file: target, status: "downloaded" });
    }
  }
  return fetched;
}

/** One retry on a network error (not on an HTTP error status): reused sockets can be closed under us. */
async function downloadWithRetry(download: typeof fetch, url: string): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await download(url);
    } catch (error) {
      if (attempt < 2) continue;
      throw error;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
