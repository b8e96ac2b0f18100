// Text from a message, made safe to print on a terminal. A message can carry
// escape sequences that a terminal obeys: OSC 52 writes the clipboard, CSI
// sequences clear the screen or move the cursor over earlier lines, OSC 8
// makes hidden links, and bidi controls reorder what the user reads. All of
// them go; newlines and tabs stay. One pass over the text, no regex: the input
// is untrusted and can be megabytes long.

const ESC = 0x1b;
const BEL = 0x07;
/** C1 forms of the introducers (8-bit terminals obey them too). */
const C1_DCS = 0x90;
const C1_SOS = 0x98;
const C1_CSI = 0x9b;
const C1_ST = 0x9c;
const C1_OSC = 0x9d;
const C1_PM = 0x9e;
const C1_APC = 0x9f;

/** Bidi embedding, override and isolate controls and the marks (they reorder or disguise text). */
function isBidiControl(c: number): boolean {
  return c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/** Characters dropped on their own: C0 except tab and newline, DEL, C1, bidi controls. */
function isDropped(c: number): boolean {
  if (c < 0x20) return c !== 0x09 && c !== 0x0a;
  if (c >= 0x7f && c <= 0x9f) return true;
  return isBidiControl(c);
}

/**
 * The end (exclusive) of a control string (OSC, DCS, SOS, PM, APC) whose
 * payload starts at `from`: after BEL, ESC \ or C1 ST. -1 when it is not
 * terminated.
 */
function controlStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BEL || c === C1_ST) return i + 1;
    if (c === ESC && text.charCodeAt(i + 1) === 0x5c) return i + 2;
  }
  return -1;
}

/** The end (exclusive) of a CSI sequence whose parameters start at `from`: after its final byte 0x40-0x7e. */
function csiEnd(text: string, from: number): number {
  let i = from;
  // Parameter bytes 0x30-0x3f, then intermediate bytes 0x20-0x2f.
  while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x3f) i++;
  while (i < text.length && text.charCodeAt(i) >= 0x20 && text.charCodeAt(i) <= 0x2f) i++;
  const c = text.charCodeAt(i);
  return c >= 0x40 && c <= 0x7e ? i + 1 : i;
}

/**
 * Removes escape sequences and control characters, keeping `\n` and `\t`.
 * Linear in the length of `text`: a control string without its terminator is
 * looked for once; after the first miss, later ones are known to have none.
 * An unterminated control string loses only its introducer (its payload is
 * shown as text, so nothing of the message disappears).
 */
export function terminalSafe(text: string): string {
  let out = '';
  let runStart = 0;
  let noTerminatorFrom = Infinity;
  let i = 0;
  const cut = (to: number, next: number): void => {
    out += text.slice(runStart, to);
    runStart = next;
    i = next;
  };
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === ESC) {
      const n = text.charCodeAt(i + 1);
      if (n === 0x5b) cut(i, csiEnd(text, i + 2)); // ESC [
      else if (n === 0x5d || n === 0x50 || n === 0x58 || n === 0x5e || n === 0x5f) {
        // ESC ] OSC, ESC P DCS, ESC X SOS, ESC ^ PM, ESC _ APC
        const end = i + 2 >= noTerminatorFrom ? -1 : controlStringEnd(text, i + 2);
        if (end === -1) noTerminatorFrom = Math.min(noTerminatorFrom, i + 2);
        cut(i, end === -1 ? i + 2 : end);
      } else if (n >= 0x20 && n <= 0x2f) {
        // nF: intermediates, then one final byte.
        let j = i + 1;
        while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
        cut(i, j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x7e ? j + 1 : j);
      } else if (n >= 0x30 && n <= 0x7e) cut(i, i + 2); // Fp, Fe, Fs: ESC and one byte (ESC c resets the terminal)
      else cut(i, i + 1);
    } else if (c === C1_CSI) cut(i, csiEnd(text, i + 1));
    else if (c === C1_OSC || c === C1_DCS || c === C1_SOS || c === C1_PM || c === C1_APC) {
      const end = i + 1 >= noTerminatorFrom ? -1 : controlStringEnd(text, i + 1);
      if (end === -1) noTerminatorFrom = Math.min(noTerminatorFrom, i + 1);
      cut(i, end === -1 ? i + 1 : end);
    } else if (isDropped(c)) cut(i, i + 1);
    else i++;
  }
  return out + text.slice(runStart);
}

/** terminalSafe on one line: newlines and tabs become spaces too. */
export function terminalLine(text: string): string {
  return terminalSafe(text).replace(/[\n\t]+/g, ' ');
}
