// Writes media/icon.png (128x128, the Marketplace and Extensions view icon)
// from the activity bar glyph media/pop3-mail.svg: the same strokes in white
// on a rounded blue square, so the icon reads on light and dark pages.
// Needs rsvg-convert (Debian: apt-get install -y librsvg2-bin).
// Run: node --import tsx scripts/icon.ts
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const GLYPH = path.join(ROOT, 'media', 'pop3-mail.svg');
const OUT = path.join(ROOT, 'media', 'icon.png');
const SIZE = 128;

/** The glyph's drawing (its <path> elements), without the outer <svg>. */
export function glyphPaths(svg: string): string {
  const paths = svg.match(/<path\b[^>]*\/>/g);
  if (!paths || paths.length === 0) throw new Error(`${GLYPH}: no <path/> elements`);
  return paths.join('');
}

export function iconSvg(glyph: string): string {
  // The 24-unit glyph scaled by 4 fills 96 of 128 pixels, centred.
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">`,
    '<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3b8eea"/><stop offset="1" stop-color="#1f5fbf"/></linearGradient></defs>',
    '<rect x="4" y="4" width="120" height="120" rx="26" fill="url(#bg)"/>',
    `<g transform="translate(16 14) scale(4)" fill="none" stroke="#ffffff" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">${glyph}</g>`,
    '</svg>',
  ].join('');
}

if (require.main === module) {
  const svg = iconSvg(glyphPaths(fs.readFileSync(GLYPH, 'utf8')));
  execFileSync('rsvg-convert', ['--width', String(SIZE), '--height', String(SIZE), '--format', 'png', '--output', OUT], { input: svg });
  console.log(`${path.relative(ROOT, OUT)}: ${fs.statSync(OUT).size} bytes`);
}
