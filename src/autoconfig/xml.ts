// Reads the POP3 servers out of an autoconfig document (the
// config-v1.1.xml format other mail clients publish and read). The
// document comes from the network: a bounded, single-pass scanner, no
// regular expressions over it, no entities beyond the five predefined
// ones, no DTDs; every loop advances and is bounded by the input length.

export interface XmlPopServer {
  hostname?: string;
  port?: string;
  socketType?: string;
  username?: string;
  authentication: string[];
}

export interface ParsedConfig {
  readonly domains: string[];
  readonly pop: XmlPopServer[];
}

/** Far more than any real document's elements; beyond it the document is refused. */
const MAX_ELEMENTS = 5000;
const MAX_DEPTH = 32;

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

interface Element {
  name: string;
  text: string;
  attrs: Map<string, string>;
}

/** Parses the document and returns what matters; throws XmlError on anything malformed. */
export function parseAutoconfig(xml: string): ParsedConfig {
  const stack: Element[] = [];
  const result: ParsedConfig = { domains: [], pop: [] };
  let current: XmlPopServer | undefined;
  let elements = 0;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? xml.length : lt;
    if (stack.length) stack[stack.length - 1]!.text += xml.slice(i, textEnd);
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) throw new XmlError('unterminated comment');
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end === -1) throw new XmlError('unterminated processing instruction');
      i = end + 2;
      continue;
    }
    if (xml.startsWith('<!', lt)) throw new XmlError('DTDs and CDATA are not accepted');
    const gt = xml.indexOf('>', lt + 1);
    if (gt === -1) throw new XmlError('unterminated tag');
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`mismatched </${name.slice(0, 40)}>`);
      const parent = stack[stack.length - 1]?.name;
      const text = decode(open.text.trim());
      if (name === 'incomingServer' && current) {
        result.pop.push(current);
        current = undefined;
      } else if (current && parent === 'incomingServer') {
        if (name === 'authentication') current.authentication.push(text);
        else if (name === 'hostname' || name === 'port' || name === 'socketType' || name === 'username') current[name] = text;
      } else if (name === 'domain' && parent === 'emailProvider') {
        result.domains.push(text.toLowerCase());
      }
      continue;
    }
    if (++elements > MAX_ELEMENTS) throw new XmlError('too many elements');
    const selfClosing = tag.endsWith('/');
    const { name, attrs } = parseTag(selfClosing ? tag.slice(0, -1) : tag);
    if (!selfClosing) {
      if (stack.length >= MAX_DEPTH) throw new XmlError('nested too deeply');
      stack.push({ name, text: '', attrs });
      if (name === 'incomingServer' && attrs.get('type') === 'pop3') current = { authentication: [] };
    }
  }
  if (stack.length) throw new XmlError(`<${stack[stack.length - 1]!.name.slice(0, 40)}> is never closed`);
  return result;
}

/** Name and attributes of a start tag, in one pass over it. */
function parseTag(tag: string): { name: string; attrs: Map<string, string> } {
  let j = 0;
  while (j < tag.length && !isSpace(tag.charCodeAt(j))) j++;
  const name = tag.slice(0, j);
  if (!name) throw new XmlError('empty tag name');
  const attrs = new Map<string, string>();
  while (j < tag.length) {
    while (j < tag.length && isSpace(tag.charCodeAt(j))) j++;
    if (j >= tag.length) break;
    const eq = tag.indexOf('=', j);
    if (eq === -1) throw new XmlError('attribute without a value');
    const key = tag.slice(j, eq).trim();
    const quote = tag[eq + 1];
    if (quote !== '"' && quote !== "'") throw new XmlError('unquoted attribute');
    const close = tag.indexOf(quote, eq + 2);
    if (close === -1) throw new XmlError('unterminated attribute');
    attrs.set(key, decode(tag.slice(eq + 2, close)));
    j = close + 1;
  }
  return { name, attrs };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five predefined entities and numeric references; anything else is an error. */
function decode(text: string): string {
  if (!text.includes('&')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const amp = text.indexOf('&', i);
    if (amp === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, amp);
    const semi = text.indexOf(';', amp);
    if (semi === -1 || semi - amp > 10) throw new XmlError('bad entity');
    const ref = text.slice(amp + 1, semi);
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff) throw new XmlError('bad character reference');
      out += String.fromCodePoint(code);
    } else {
      const v = ENTITIES[ref];
      if (v === undefined) throw new XmlError(`unknown entity &${ref.slice(0, 10)};`);
      out += v;
    }
    i = semi + 1;
  }
  return out;
}
