/**
 * A binary min-heap of pending events on typed arrays, ordered by day and then by insertion, so
 * events of the same day are applied in the order they were drawn (determinism).
 */

const SEQ_BITS = 2 ** 27;

export class EventQueue {
  private keys: Float64Array;
  private kinds: Uint8Array;
  private subjects: Int32Array;
  private length = 0;
  private seq = 0;

  constructor(capacity = 1024) {
    this.keys = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.subjects = new Int32Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  push(day: number, kind: number, subject: number) {
    if (this.length === this.keys.length) {
      const capacity = this.keys.length * 2;
      const keys = new Float64Array(capacity);
      keys.set(this.keys);
      const kinds = new Uint8Array(capacity);
      kinds.set(this.kinds);
      const subjects = new Int32Array(capacity);
      subjects.set(this.subjects);
      this.keys = keys;
      this.kinds = kinds;
      this.subjects = subjects;
    }
    // day × 2^27 + sequence stays an exact integer in a double for any day before year 5000.
    const key = day * SEQ_BITS + (this.seq++ % SEQ_BITS);
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.keys[i] = this.keys[parent]!;
      this.kinds[i] = this.kinds[parent]!;
      this.subjects[i] = this.subjects[parent]!;
      i = parent;
    }
    this.keys[i] = key;
    this.kinds[i] = kind;
    this.subjects[i] = subject;
  }

  /** Day of the earliest event (Infinity when empty). */
  peekDay(): number {
    return this.length === 0 ? Number.POSITIVE_INFINITY : Math.floor(this.keys[0]! / SEQ_BITS);
  }

  /** Removes the earliest event; read it with lastDay / lastKind / lastSubject. */
  pop() {
    const day = Math.floor(this.keys[0]! / SEQ_BITS);
    this.lastDay = day;
    this.lastKind = this.kinds[0]!;
    this.lastSubject = this.subjects[0]!;
    const n = --this.length;
    if (n === 0) return;
    const key = this.keys[n]!;
    const kind = this.kinds[n]!;
    const subject = this.subjects[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.keys[child + 1]! < this.keys[child]!) child++;
      if (this.keys[child]! >= key) break;
      this.keys[i] = this.keys[child]!;
      this.kinds[i] = this.kinds[child]!;
      this.subjects[i] = this.subjects[child]!;
      i = child;
    }
    this.keys[i] = key;
    this.kinds[i] = kind;
    this.subjects[i] = subject;
  }

  lastDay = 0;
  lastKind = 0;
  lastSubject = 0;
}
