// Conversations: messages grouped into threads by the ids they carry
// (Message-ID, References, In-Reply-To), with the subject as a fallback for
// replies whose parent is not there, in the spirit of Jamie Zawinski's
// threading algorithm. Only the grouping is kept, not the reply tree: the
// inbox shows a conversation as its messages newest first.
//
// Ids are joined with a union-find (path halving, union by size), so a
// chain of any depth, a reference loop, an id used twice or a reference to a
// message that is not there is one more link, never recursion or a cycle to
// walk. Everything is linear in the number of messages and references.

/** What threading needs of a message (a summary of the store has it). */
export interface Threadable {
  readonly subject: string;
  /** ISO 8601, '' when unknown: orders messages inside a conversation. */
  readonly date: string;
  readonly messageId?: string;
  /** Ids this message answers, oldest first, space-separated. */
  readonly references?: string;
}

export interface Conversation {
  /** Indexes into the threaded list, in list order (newest first for the store's inbox). */
  readonly members: number[];
  /** Index of its oldest message, whose subject names the conversation. */
  readonly root: number;
}

/** References read per message: the index keeps at most 32; a hand-made list may hold more. */
const MAX_REFERENCES = 64;
/** Reply and forward markers of common mail clients, in lower case ("Re", German "AW", Scandinavian "SV", ...). */
const REPLY_WORDS = new Set(['re', 'fw', 'fwd', 'aw', 'sv', 'vs', 'wg', 'antw', 'tr', 'rif', 'odp', 'res']);
const MAX_WORD = 4;
/** A "[list]" tag longer than this is part of the subject, not a tag. */
const MAX_TAG = 80;

const isLetter = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * The subject without reply/forward prefixes ("Re:", "Fwd:", "AW:", "SV:",
 * "Re[2]:", ...) and "[list]" tags at its start, in lower case with
 * whitespace collapsed; `reply` says whether a prefix was there. One pass:
 * each step consumes a bounded prefix or stops.
 */
export function baseSubject(subject: string): { readonly base: string; readonly reply: boolean } {
  let pos = 0;
  let reply = false;
  const n = subject.length;
  for (;;) {
    while (pos < n && isSpace(subject.charCodeAt(pos))) pos++;
    if (pos >= n) break;
    if (subject[pos] === '[') {
      const close = subject.indexOf(']', pos + 1);
      if (close === -1 || close - pos > MAX_TAG) break;
      pos = close + 1;
      continue;
    }
    let q = pos;
    while (q < n && q - pos <= MAX_WORD && isLetter(subject.charCodeAt(q))) q++;
    if (q === pos || q - pos > MAX_WORD || !REPLY_WORDS.has(subject.slice(pos, q).toLowerCase())) break;
    // A counter some clients add: "Re[2]:", "Re(2):", "Re^2:".
    const mark = subject[q];
    if (mark === '[' || mark === '(' || mark === '^') {
      let d = q + 1;
      while (d < n && d - q <= 4 && isDigit(subject.charCodeAt(d))) d++;
      if (d > q + 1 && (mark === '^' || subject[d] === (mark === '[' ? ']' : ')'))) q = mark === '^' ? d : d + 1;
    }
    while (q < n && q - pos <= 16 && isSpace(subject.charCodeAt(q))) q++;
    const colon = subject[q];
    if (colon !== ':' && colon !== '\uff1a') break;
    pos = q + 1;
    reply = true;
  }
  return { base: collapse(subject.slice(pos)).toLowerCase(), reply };
}

/** Runs of spaces and tabs as one space, none at the ends. Store subjects are already so: checked, not rebuilt. */
function collapse(text: string): string {
  const t = text.trim();
  if (t.indexOf('  ') === -1 && t.indexOf('\t') === -1) return t;
  let out = '';
  let space = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (isSpace(c)) space = true;
    else {
      if (space) out += ' ';
      space = false;
      out += t[i];
    }
  }
  return out;
}

/** Union-find over message indexes and the ids they name; grows as ids are met. */
class Links {
  /** Typed and grown by doubling: 100,000 messages make no garbage for the collector here. */
  parent: Int32Array;
  private size: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.parent = new Int32Array(Math.max(16, capacity));
    this.size = new Int32Array(this.parent.length);
  }

  add(): number {
    if (this.length === this.parent.length) {
      const parent = new Int32Array(this.length * 2);
      parent.set(this.parent);
      const size = new Int32Array(this.length * 2);
      size.set(this.size);
      this.parent = parent;
      this.size = size;
    }
    const node = this.length++;
    this.parent[node] = node;
    this.size[node] = 1;
    return node;
  }

  find(node: number): number {
    const parent = this.parent;
    while (parent[node] !== node) {
      parent[node] = parent[parent[node]!]!;
      node = parent[node]!;
    }
    return node;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
  }
}

/** Older: an earlier date, or for the same date the later index (the list is newest first). */
function older(list: readonly Threadable[], a: number, b: number): boolean {
  const da = list[a]!.date;
  const db = list[b]!.date;
  return da < db || (da === db && a > b);
}

/**
 * Groups `list` into conversations, in the order of each conversation's
 * first member in the list (for the store's inbox, newest first: the
 * conversation with the newest message leads). Messages are linked when one
 * names the other, or both name a third, in Message-ID / References /
 * In-Reply-To. Then a conversation whose oldest message is a reply
 * ("Re: ...") that names no message in the list joins, by its base
 * subject, the latest conversation started no later with that subject and
 * no prefix, or else the other such replies. Conversations that share only
 * a subject without a reply prefix ("Weekly report") stay apart.
 */
export function threadConversations(list: readonly Threadable[]): Conversation[] {
  const n = list.length;
  const links = new Links(2 * n);
  for (let i = 0; i < n; i++) links.add();
  const byId = new Map<string, number>();
  const nodeOf = (id: string): number => {
    let node = byId.get(id);
    if (node === undefined) {
      node = links.add(); // a message not in the list (yet): its repliers meet here
      byId.set(id, node);
    }
    return node;
  };
  for (let i = 0; i < n; i++) {
    const id = list[i]!.messageId;
    if (id) {
      const known = byId.get(id);
      if (known === undefined) byId.set(id, i);
      else links.union(i, known); // an id seen before: a copy, or the message its repliers named
    }
  }
  const answersPresent = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const refs = list[i]!.references;
    if (!refs) continue;
    let start = 0;
    for (let k = 0; k < MAX_REFERENCES && start < refs.length; k++) {
      let end = refs.indexOf(' ', start);
      if (end === -1) end = refs.length;
      if (end > start) {
        const node = nodeOf(refs.slice(start, end));
        if (node < n && node !== i) answersPresent[i] = 1;
        links.union(i, node);
      }
      start = end + 1;
    }
  }

  // The oldest message of each group found by ids (by its union-find root; -1: none yet).
  const oldest = new Int32Array(links.length).fill(-1);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = links.find(i);
    const o = oldest[r]!;
    if (o === -1) roots.push(r);
    if (o === -1 || older(list, i, o)) oldest[r] = i;
  }
  // Subject fallback: groups started without a prefix anchor their base subject; replies with no parent join one.
  const anchors = new Map<string, number[]>(); // base -> oldest messages, oldest first after sorting
  const orphans: { root: number; base: string }[] = [];
  for (const r of roots) {
    const root = oldest[r]!;
    const { base, reply } = baseSubject(list[root]!.subject);
    if (base === '') continue;
    if (!reply) {
      const a = anchors.get(base);
      if (a) a.push(root);
      else anchors.set(base, [root]);
    } else if (answersPresent[root] === 0) orphans.push({ root, base });
  }
  for (const a of anchors.values()) if (a.length > 1) a.sort((x, y) => (older(list, x, y) ? -1 : older(list, y, x) ? 1 : 0));
  const lonely = new Map<string, number>(); // base -> the first reply without an anchor
  for (const { root, base } of orphans) {
    const a = anchors.get(base);
    if (a) {
      // The latest anchor not newer than the reply (binary search); the first when all are newer.
      let lo = 0;
      let hi = a.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (older(list, root, a[mid]!)) hi = mid;
        else lo = mid + 1;
      }
      links.union(root, a[Math.max(0, lo - 1)]!);
      continue;
    }
    const first = lonely.get(base);
    if (first === undefined) lonely.set(base, root);
    else links.union(root, first);
  }

  const conversations: Conversation[] = [];
  const at = new Int32Array(links.length).fill(-1); // union-find root -> index in conversations
  for (let i = 0; i < n; i++) {
    const r = links.find(i);
    let c = conversations[at[r]!];
    if (!c) {
      c = { members: [], root: i };
      at[r] = conversations.length;
      conversations.push(c);
    }
    c.members.push(i);
    if (older(list, i, c.root)) (c as { root: number }).root = i;
  }
  return conversations;
}
