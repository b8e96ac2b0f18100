// Fails when TypeScript files import each other in a circle (relative
// imports, type-only ones too: a type cycle is still two modules that cannot
// be understood apart). Run by `npm run lint`; test/unit/check-cycles.test.ts
// checks that it finds a cycle. No dependencies: a plain walk of the
// `from '...'`, `import('...')` and `require('...')` specifiers.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const DIRS = ['src', 'webview-ui', 'test', 'scripts', 'bench'];
const SKIP = new Set(['node_modules', 'dist', 'out', '.cache', 'test-artifacts']);
/** Specifiers of relative imports; each pattern is anchored on a keyword and a quote, so it runs in linear time. */
const SPECIFIERS = [/\bfrom\s*['"](\.{1,2}\/[^'"\n]*)['"]/g, /\bimport\s*(?:\(\s*)?['"](\.{1,2}\/[^'"\n]*)['"]/g, /\brequire\(\s*['"](\.{1,2}\/[^'"\n]*)['"]/g];

export function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (/\.tsx?$/.test(candidate) && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** file -> the files it imports (relative imports that resolve to a .ts file). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const pattern of SPECIFIERS) {
      for (const m of text.matchAll(pattern)) {
        const target = resolve(file, m[1]!);
        if (target) targets.add(target);
      }
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Every cycle as a list of files (one per strongly connected component, Tarjan's algorithm, iterative). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) cycles.push(component.reverse());
      }
    }
  }
  return cycles;
}

if (require.main === module) {
  const files = DIRS.flatMap((d) => tsFiles(path.join(ROOT, d)));
  const cycles = findCycles(importGraph(files));
  for (const cycle of cycles) console.error(`import cycle: ${cycle.map((f) => path.relative(ROOT, f)).join(' -> ')}`);
  if (cycles.length > 0) process.exit(1);
  console.log(`no import cycles in ${files.length} files`);
}
