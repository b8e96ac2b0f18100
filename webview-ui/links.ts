// Links inside the sandboxed HTML frame. The frame runs no script and has an
// opaque origin, so the view cannot see a click in it. Instead each link's
// href is replaced, while sanitizing, by a stand-in URL that names the link;
// clicking it makes the frame try to navigate, the panel's CSP (frame-src
// falls back to default-src 'none') blocks that, and the violation event
// tells the view which link it was. The view then asks the host, which shows
// the real URL and opens only http/https/mailto (docs/security.md T36).

const DOMAIN = 'pop3-mail.invalid';

function randomToken(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class FrameLinks {
  /** Per render: a message cannot guess it, so it cannot name another message's links. */
  private readonly token = randomToken();
  private readonly parts: (readonly string[])[] = [];

  /** The stand-in URL for link `index` of HTML part `part`. */
  url(part: number, index: number): string {
    return `https://l${part}x${index}-${this.token}.${DOMAIN}/`;
  }

  setLinks(part: number, links: readonly string[]): void {
    this.parts[part] = links;
  }

  clear(): void {
    this.parts.length = 0;
  }

  /** The real target behind a blocked navigation, or undefined when it is not one of ours. */
  resolve(blockedUri: string): string | undefined {
    let host: string;
    try {
      host = new URL(blockedUri).hostname;
    } catch {
      return undefined;
    }
    const m = /^l(\d{1,4})x(\d{1,5})-([0-9a-f]{16})\.pop3-mail\.invalid$/.exec(host);
    if (!m || m[3] !== this.token) return undefined;
    return this.parts[Number(m[1])]?.[Number(m[2])];
  }
}
