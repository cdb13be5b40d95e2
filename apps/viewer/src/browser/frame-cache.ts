/**
 * The last few decoded frames, least recently used evicted: scrubbing back and forth and the split
 * view's second pane reuse a decode instead of running base64 and typed-array copies again.
 */
export class FrameCache<Key, Value> {
  private readonly entries = new Map<Key, Value>();

  constructor(private readonly capacity: number) {}

  get(key: Key, decode: (key: Key) => Value): Value {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key); // Re-insert: Map order is the recency order.
      this.entries.set(key, hit);
      return hit;
    }
    const value = decode(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as Key);
    }
    return value;
  }
}
