// The benchmark mailbox: deterministic and seeded, realistic in shape
// (multipart/alternative, encoded-word subjects, 8-bit UTF-8 bodies, about
// 15% with base64 attachments from 20 KB to 1 MB). Built on the test
// generator; cached on disk so rounds and runs reuse the same bytes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateMessage } from '../test/support/mailgen';
import { Prng } from '../test/support/prng';

export interface Profile {
  readonly name: string;
  readonly messages: number;
  /** Share of messages with an attachment, and the attachment's size range (bytes). */
  readonly attachmentShare: number;
  readonly attachmentMin: number;
  readonly attachmentMax: number;
}

export const PROFILES: Record<string, Profile> = {
  quick: { name: 'quick', messages: 1000, attachmentShare: 0.15, attachmentMin: 20_000, attachmentMax: 1_024_000 },
  full: { name: 'full', messages: 5000, attachmentShare: 0.15, attachmentMin: 20_000, attachmentMax: 1_024_000 },
  // Mostly small messages (a mailing-list inbox): where per-message costs, not bytes, dominate.
  small: { name: 'small', messages: 5000, attachmentShare: 0.03, attachmentMin: 5_000, attachmentMax: 100_000 },
};

const SEED = 20261126;


/** Writes the profile's messages into `dir` once (file per message); returns their paths. */
export function buildMailbox(profile: Profile, dir: string): { files: string[]; bytes: number } {
  const marker = path.join(dir, `.complete-${profile.messages}`);
  if (!fs.existsSync(marker)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const rnd = new Prng(SEED);
    for (let i = 0; i < profile.messages; i++) {
      const withAttachment = rnd.next() < profile.attachmentShare;
      const attachmentBytes = withAttachment ? Math.floor(profile.attachmentMin + rnd.next() * (profile.attachmentMax - profile.attachmentMin)) : 0;
      fs.writeFileSync(path.join(dir, `m${String(i).padStart(6, '0')}.eml`), generateMessage(SEED, i, { attachmentBytes }));
    }
    fs.writeFileSync(marker, '');
  }
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().map((f) => path.join(dir, f));
  return { files, bytes: files.reduce((s, f) => s + fs.statSync(f).size, 0) };
}
