/**
 * Where `RecordEpisode` writes its lines: a file opened once and written synchronously, line by
 * line, so memory stays bounded, the write order is the step order (deterministic), and a reader
 * can open the file while the run goes on. Replay files are append-only by design (a crash leaves
 * a truncated replay that still opens), so they are not written through a temp file and rename.
 *
 * gzip: one gzip member whose deflate stream is written in sync-flushed pieces (each piece
 * compressed on its own, ending on a byte boundary without the final-block bit). Everything
 * flushed so far decodes, so a gzip replay is readable while written too; `close` adds the final
 * block and the CRC-32/size trailer. Pieces are flushed at `flushBytes` and at each episode end.
 */
import { closeSync, openSync } from "node:fs";
import { constants, crc32, deflateRawSync } from "node:zlib";
import { writeFully } from "../persistence/write-file-atomic.js";

/** Receives replay lines (each ends with a newline). */
export interface ReplaySink {
  write(line: string): void;
  /** Makes everything written so far readable (called at each episode end). */
  flush(): void;
  close(): void;
}

export interface ReplayFileSinkOptions {
  /** gzip the file (default: when the path ends with `.gz`). */
  gzip?: boolean;
  /** Uncompressed bytes gathered before a gzip piece is written (default 1 MiB). */
  flushBytes?: number;
}

/** gzip member header: magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);

export class ReplayFileSink implements ReplaySink {
  readonly path: string;
  private fd: number | undefined;
  private readonly gzip: boolean;
  private readonly flushBytes: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private crc = 0;
  private totalBytes = 0;

  constructor(path: string, options: ReplayFileSinkOptions = {}) {
    if (typeof path !== "string" || path === "") {
      throw new TypeError("ReplayFileSink: path must be a non-empty file path");
    }
    const flushBytes = options.flushBytes ?? 1 << 20;
    if (!Number.isInteger(flushBytes) || flushBytes < 1) {
      throw new RangeError(`ReplayFileSink: flushBytes = ${flushBytes}; expected a positive integer`);
    }
    this.path = path;
    this.gzip = options.gzip ?? path.endsWith(".gz");
    this.flushBytes = flushBytes;
    this.fd = openSync(path, "w");
    if (this.gzip) writeFully(this.fd, GZIP_HEADER);
  }

  write(line: string): void {
    const fd = this.openFd("write");
    if (!this.gzip) {
      writeFully(fd, Buffer.from(line, "utf8"));
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= this.flushBytes) this.flush();
  }

  flush(): void {
    const fd = this.openFd("flush");
    if (!this.gzip || this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.join(""), "utf8");
    this.pending = [];
    this.pendingBytes = 0;
    this.crc = crc32(bytes, this.crc);
    this.totalBytes += bytes.length;
    writeFully(fd, deflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }));
  }

  close(): void {
    if (this.fd === undefined) return;
    if (this.gzip) {
      this.flush();
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(this.crc >>> 0, 0);
      trailer.writeUInt32LE(this.totalBytes % 2 ** 32, 4);
      writeFully(this.fd, deflateRawSync(Buffer.alloc(0))); // the final (empty) block
      writeFully(this.fd, trailer);
    }
    closeSync(this.fd);
    this.fd = undefined;
  }

  private openFd(method: string): number {
    if (this.fd === undefined) throw new Error(`ReplayFileSink.${method}: ${this.path} is already closed`);
    return this.fd;
  }
}
