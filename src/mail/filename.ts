// Attachment names are hostile input (SECURITY.md T27): mailparser returns
// them raw. What we show and save is a base name only, with control and bidi
// characters removed, Windows-reserved names mapped, and a bounded length.

const MAX_NAME = 120;
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff<>:"|?*]/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/** A file name that is safe to show and to join to a folder the user chose. */
export function safeFileName(raw: string | undefined, fallback = 'attachment'): string {
  let name = raw ?? '';
  try {
    // RFC 2231 percent-encoding that reached us undecoded.
    if (/%[0-9a-f]{2}/i.test(name)) name = decodeURIComponent(name);
  } catch {
    // not valid percent-encoding: keep it as it is
  }
  name = name.replace(/\\/g, '/');
  name = name.slice(name.lastIndexOf('/') + 1); // base name only
  name = name.normalize('NFC').replace(UNSAFE, '').replace(/\s+/g, ' ').trim();
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, ''); // no hidden files, no trailing dots (Windows)
  if (!name) name = fallback;
  if (RESERVED.test(name)) name = `_${name}`;
  if (name.length > MAX_NAME) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = name.slice(0, MAX_NAME - ext.length) + ext;
  }
  return name;
}
