import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { findCycles, importGraph, tsFiles } from '../../scripts/check-cycles';

function tree(files: Record<string, string>): { dir: string; graph: Map<string, string[]> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-cycles-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return { dir, graph: importGraph(tsFiles(dir)) };
}

test('a cycle through a type-only import, a multi-line import and a folder index is found', () => {
  const { dir, graph } = tree({
    'a.ts': "import type { B } from './b';\nexport type A = B;\n",
    'b.ts': "import {\n  c,\n} from './sub';\nexport type B = typeof c;\n",
    'sub/index.ts': "export { a } from '../a';\nexport const c = 1;\n",
    'free.ts': "import { c } from './sub';\nexport const d = c;\n",
  });
  try {
    const cycles = findCycles(graph);
    assert.equal(cycles.length, 1);
    assert.deepEqual(cycles[0]!.map((f) => path.relative(dir, f)).sort(), ['a.ts', 'b.ts', path.join('sub', 'index.ts')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file importing itself is a cycle; a chain and a diamond are not', () => {
  const { dir, graph } = tree({
    'self.ts': "export const x = 1;\nvoid import('./self');\n",
    'top.ts': "import './left';\nimport './right';\n",
    'left.ts': "import { y } from './bottom';\nexport const l = y;\n",
    'right.ts': "const r = require('./bottom');\nexport { r };\n",
    'bottom.ts': "import * as fs from 'node:fs';\nexport const y = fs;\n",
  });
  try {
    assert.deepEqual(findCycles(graph).map((c) => c.map((f) => path.basename(f))), [['self.ts']]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a long chain does not overflow the stack', () => {
  const graph = new Map<string, string[]>();
  for (let i = 0; i < 50_000; i++) graph.set(`f${i}`, i + 1 < 50_000 ? [`f${i + 1}`] : ['f0']);
  const cycles = findCycles(graph);
  assert.equal(cycles.length, 1);
  assert.equal(cycles[0]!.length, 50_000);
});
