/** Where a minibatch of sequence chunks lives in a rollout stored [step][slot] (see {@link writeChunkMinibatch}). */
export interface ChunkMinibatch {
  /** [length × batch]: row k·batch + b is step k of chunk b, as an index into the [step][slot] arrays. */
  rows: Int32Array;
  /** [batch]: the row of each chunk's first step (where its stored hidden state is read). */
  firstRows: Int32Array;
  /** [length × batch]: 1 where the recurrent state is zeroed before that step (an episode starts). */
  resets: Float32Array;
}

/**
 * Recurrent PPO's chunked minibatches (on-policy `shared_buffer.py` `recurrent_generator`, DIALS's
 * `seq_len` chunks): each slot's (agent's) trajectory of `steps` steps is cut into chunks of
 * `length` steps, chunk c covering slot ⌊c / (steps/length)⌋ from step (c mod steps/length)·length.
 * A chunk is re-run from the hidden state stored at its first step, with the state zeroed inside it
 * wherever `masks` (1 = the episode continues, 0 = it started at this step) is 0. Rows are
 * time-major so that a GRU unrolls over the leading axis.
 */
export function writeChunkMinibatch(
  chunks: ArrayLike<number>,
  options: { length: number; steps: number; slots: number; masks: ArrayLike<number> },
  out: ChunkMinibatch,
): void {
  const { length, steps, slots, masks } = options;
  if (steps % length !== 0)
    throw new RangeError(
      `writeChunkMinibatch: steps = ${steps} is not a multiple of the chunk length ${length}`,
    );
  const batch = chunks.length;
  if (
    out.rows.length !== length * batch ||
    out.firstRows.length !== batch ||
    out.resets.length !== length * batch
  )
    throw new RangeError(
      `writeChunkMinibatch: the output arrays hold ${out.rows.length}, ${out.firstRows.length} and ${out.resets.length} entries; expected ${length * batch}, ${batch} and ${length * batch}`,
    );
  const chunksPerSlot = steps / length;
  for (let b = 0; b < batch; b++) {
    const chunk = chunks[b];
    const slot = Math.floor(chunk / chunksPerSlot);
    const first = (chunk % chunksPerSlot) * length;
    for (let k = 0; k < length; k++) {
      const row = (first + k) * slots + slot;
      out.rows[k * batch + b] = row;
      out.resets[k * batch + b] = 1 - masks[row];
    }
    out.firstRows[b] = first * slots + slot;
  }
}
