// The parse worker: full MIME parsing off the extension host's main thread
// (docs/security.md T28/T29). Bundled as
// dist/parse-worker.js and started by ParseService with resource limits and
// a timeout; one request per worker, so a hostile message costs one worker.

import { parentPort } from 'node:worker_threads';
import { MimeLimitError } from './mime-tree';
import type { ParseRequest, ParseResponse } from './parse-protocol';
import { extractPart, mimeOutline, parseMessageView } from './view';

async function handle(request: ParseRequest): Promise<ParseResponse> {
  const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength);
  switch (request.kind) {
    case 'view':
      return { ok: true, kind: 'view', result: await parseMessageView(request.id, raw) };
    case 'part': {
      const bytes = extractPart(raw, request.path);
      return { ok: true, kind: 'part', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    }
    case 'outline':
      return { ok: true, kind: 'outline', outline: mimeOutline(raw) };
  }
}

const port = parentPort;
if (port) {
  port.once('message', (request: ParseRequest) => {
    handle(request).then(
      (response) => port.postMessage(response),
      (error: unknown) => {
        const response: ParseResponse = MimeLimitError.is(error)
          ? { ok: false, code: 'limit', message: error.message }
          : { ok: false, code: 'failed', message: error instanceof Error ? error.message : String(error) };
        port.postMessage(response);
      },
    );
  });
}
