// Summaries opened from the index snapshot decode their texts on first use.
// Go to Message reads the subject and sender of every message at its first
// keystroke; reading them beforehand, a slice at a time with a yield
// between, keeps that first search as quick as the next ones without
// blocking the editor while it happens.
import type { MessageSummary } from './types';

/** Reads the texts a search looks at (subject, sender) for `list`, `slice` messages between yields. */
export async function prepareSearch(list: readonly MessageSummary[], slice = 2048): Promise<void> {
  for (let i = 0; i < list.length; i += slice) {
    const end = Math.min(i + slice, list.length);
    for (let k = i; k < end; k++) {
      const m = list[k]!;
      if (m.subject === undefined || m.from === undefined) break; // reading them is the point
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
