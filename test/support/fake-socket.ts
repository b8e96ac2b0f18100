import { EventEmitter } from 'node:events';

/** Stands in for a socket in framing tests: records writes, lets the test push server bytes with emit('data'). */
export class FakeSocket extends EventEmitter {
  written: string[] = [];
  destroyed = false;
  write(data: string): boolean {
    this.written.push(data);
    return true;
  }
  setTimeout(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
}
