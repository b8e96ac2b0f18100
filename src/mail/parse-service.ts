// Host side of the parse worker: one worker_threads worker per request, with
// V8 heap limits and a wall-clock timeout, so a 25 MB or hostile message
// never blocks or crashes the extension host (docs/security.md T28/T29). No vscode
// import: unit tests drive it directly.

import { Worker } from 'node:worker_threads';
import type { ParseErrorCode, ParseRequest, ParseResponse } from './parse-protocol';
import type { OutlineNode, ParsedMessage } from './view';

export interface ParseServiceOptions {
  /** Path of the bundled worker (dist/parse-worker.js). */
  readonly workerFile: string;
  /** Wall-clock budget of one request; the worker is terminated after it. */
  readonly timeoutMs?: number;
  /** V8 old-generation heap of a worker. Buffers (message bytes) are outside it. */
  readonly maxOldGenerationSizeMb?: number;
}

/** 20 s: a 64 MB message parses in about a second; anything slower is stuck or hostile. */
export const DEFAULT_PARSE_TIMEOUT_MS = 20_000;
/** Decoded text parts of a 64 MB message fit comfortably; a runaway parse does not. */
export const DEFAULT_WORKER_HEAP_MB = 384;

export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    readonly code: ParseErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class ParseService {
  private readonly live = new Set<Worker>();
  /** A worker started ahead of time, so a request does not wait for one to boot. */
  private spare: Worker | undefined;
  private disposed = false;

  constructor(private readonly options: ParseServiceOptions) {}

  async view(id: string, raw: Buffer): Promise<ParsedMessage> {
    const response = await this.run({ kind: 'view', id, raw: copy(raw) });
    if (response.ok && response.kind === 'view') return response.result;
    throw unexpected(response);
  }

  async part(raw: Buffer, path: string): Promise<Buffer> {
    const response = await this.run({ kind: 'part', path, raw: copy(raw) });
    if (response.ok && response.kind === 'part') return Buffer.from(response.bytes.buffer, response.bytes.byteOffset, response.bytes.byteLength);
    throw unexpected(response);
  }

  async outline(raw: Buffer): Promise<OutlineNode[]> {
    const response = await this.run({ kind: 'outline', raw: copy(raw) });
    if (response.ok && response.kind === 'outline') return response.outline;
    throw unexpected(response);
  }

  /** Terminates every running worker (on deactivate). */
  dispose(): void {
    this.disposed = true;
    for (const worker of this.live) void worker.terminate();
    this.live.clear();
    void this.spare?.terminate();
    this.spare = undefined;
  }

  private startWorker(): Worker {
    const worker = new Worker(this.options.workerFile, {
      // Not the host's flags (a debugger port, a TS loader in tests): the worker is plain bundled JS.
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: this.options.maxOldGenerationSizeMb ?? DEFAULT_WORKER_HEAP_MB,
        maxYoungGenerationSizeMb: 32,
        stackSizeMb: 4,
      },
    });
    // An idle spare must not keep a CLI or test process alive.
    worker.unref();
    return worker;
  }

  /** The spare worker if it is still healthy, else a new one; then a new spare is started. */
  private takeWorker(): Worker {
    let worker = this.spare;
    this.spare = undefined;
    if (!worker || worker.threadId === -1) worker = this.startWorker();
    if (!this.disposed) {
      const spare = this.startWorker();
      spare.once('error', () => {
        if (this.spare === spare) this.spare = undefined;
      });
      spare.once('exit', () => {
        if (this.spare === spare) this.spare = undefined;
      });
      this.spare = spare;
    }
    worker.removeAllListeners();
    worker.ref();
    return worker;
  }

  private run(request: ParseRequest): Promise<ParseResponse> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS;
    return new Promise<ParseResponse>((resolve, reject) => {
      const worker = this.takeWorker();
      this.live.add(worker);
      let settled = false;
      const finish = (error: Error | undefined, response?: ParseResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.live.delete(worker);
        void worker.terminate();
        if (error) reject(error);
        else resolve(response!);
      };
      const timer = setTimeout(
        () => finish(new ParseError('timeout', `Parsing the message took longer than ${Math.round(timeoutMs / 1000)} s and was stopped.`)),
        timeoutMs,
      );
      worker.once('message', (response: ParseResponse) => {
        if (response.ok) finish(undefined, response);
        else finish(new ParseError(response.code, response.message));
      });
      worker.once('error', (error: Error & { code?: string }) => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') finish(new ParseError('memory', 'Parsing the message needed too much memory and was stopped.'));
        else finish(new ParseError('crashed', `The message parser failed: ${error.message}`));
      });
      worker.once('exit', (code) => finish(new ParseError('crashed', `The message parser stopped unexpectedly (exit code ${code}).`)));
      const bytes = request.raw;
      worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
    });
  }
}

/** A fresh, transferable copy (store buffers may be slices of a shared pool). */
function copy(raw: Buffer): Uint8Array {
  const out = new Uint8Array(raw.byteLength);
  out.set(raw);
  return out;
}

function unexpected(response: ParseResponse): Error {
  return response.ok ? new ParseError('failed', `unexpected answer from the parse worker (${response.kind})`) : new ParseError(response.code, response.message);
}
