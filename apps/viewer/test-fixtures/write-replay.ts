import { closeSync, openSync, renameSync, writeSync } from "node:fs";
import { encodeReplayRecord, type ReplayRecord } from "@netmarl/envs/replay";

/** The records as replay text (one line each). */
export function replayText(records: Iterable<ReplayRecord>): string {
  let text = "";
  for (const record of records) text += encodeReplayRecord(record);
  return text;
}

/** Streams the records to `path` (temp file + rename, so a reader never sees half a file). */
export function writeReplayFile(path: string, records: Iterable<ReplayRecord>): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    for (const record of records) writeSync(fd, encodeReplayRecord(record));
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
