// Memory that holds a small message while it arrives, reused from one
// message to the next. A new Buffer for each received piece left every byte
// of a fetch (hundreds of MB) as garbage until a later collection: tens of
// MB of a fetch's peak memory. A buffer is handed out whole and given back
// whole; nothing outside MessageWriter sees one after it is given back.

/** The smallest buffer handed out; a message that outgrows its buffer moves to one twice as large. */
const MIN_BYTES = 16 * 1024;

/**
 * Free buffers kept, in bytes at most. A fetch has two or three messages in
 * memory at once (the one arriving, the one being stored), a deleting fetch
 * up to 32 while their fsyncs run; what is given back beyond this is left to
 * the collector, and an editor that is done fetching keeps no more than this.
 */
const KEEP_BYTES = 4 * 1024 * 1024;

const free = new Map<number, Buffer[]>();
let kept = 0;

/** A buffer of at least `bytes` (a power of two, at least MIN_BYTES): a free one when there is one. */
export function takeStage(bytes: number): Buffer {
  let size = MIN_BYTES;
  while (size < bytes) size *= 2;
  const reused = free.get(size)?.pop();
  if (reused) {
    kept -= size;
    return reused;
  }
  // Not zero-filled: only the bytes written into it are ever read or written out.
  return Buffer.allocUnsafeSlow(size);
}

/** Takes back a buffer from takeStage; its owner must not touch it again. */
export function giveStage(buffer: Buffer): void {
  if (kept + buffer.length > KEEP_BYTES) return;
  const list = free.get(buffer.length);
  if (list) list.push(buffer);
  else free.set(buffer.length, [buffer]);
  kept += buffer.length;
}
