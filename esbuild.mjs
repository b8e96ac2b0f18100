// One build for everything: the extension host and the CLI (node, cjs,
// `vscode` external) and the webview (browser, esm).
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'linked',
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  entryPoints: {
    extension: 'src/vscode/extension.ts',
    cli: 'src/cli/main.ts',
    // The message parser runs in a worker_threads worker (src/mail/parse-service.ts).
    'parse-worker': 'src/mail/parse-worker.ts',
    // Each account's search index is built and queried in one (src/search/search-service.ts).
    'search-worker': 'src/search/search-worker.ts',
    // A big store's index snapshot is written in one (src/store/snapshot-job.ts).
    'snapshot-worker': 'src/store/snapshot-worker.ts',
  },
  outdir: 'dist',
};

const webview = {
  ...common,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  entryPoints: { webview: 'webview-ui/main.ts' },
  outdir: 'dist',
};

if (watch) {
  const contexts = await Promise.all([esbuild.context(node), esbuild.context(webview)]);
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all([esbuild.build(node), esbuild.build(webview)]);
}
