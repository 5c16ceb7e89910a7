/**
 * The last `capacity` items, oldest first (Resilience4j's `CircularEventConsumer`): a ring, so a
 * push costs the same however full the buffer is.
 */
export class EventBuffer<E> {
  #ring: Array<E | undefined>;
  /** Index of the oldest item. */
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#ring = new Array<E | undefined>(Math.max(1, capacity));
  }

  set capacity(capacity: number) {
    const kept = this.items().slice(-Math.max(1, capacity));
    this.#ring = new Array<E | undefined>(Math.max(1, capacity));
    for (let i = 0; i < kept.length; i++) this.#ring[i] = kept[i];
    this.#start = 0;
    this.#size = kept.length;
  }

  push(item: E): void {
    const ring = this.#ring;
    if (this.#size < ring.length) {
      ring[(this.#start + this.#size) % ring.length] = item;
      this.#size++;
    } else {
      ring[this.#start] = item;
      this.#start = (this.#start + 1) % ring.length;
    }
  }

  items(): E[] {
    const ring = this.#ring;
    const out = new Array<E>(this.#size);
    for (let i = 0; i < this.#size; i++) out[i] = ring[(this.#start + i) % ring.length] as E;
    return out;
  }
}
