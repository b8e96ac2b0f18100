// The mail profile's rules for URLs, as pure functions (docs/security.md
// cases T34-T36; CSS is in clean-css.ts). The webview's DOMPurify hooks call these;
// unit tests call them directly. No node, no vscode, no DOM.

/** Largest data:image URL kept in an HTML part (the host builds cid: images up to 1 MB, base64 makes 4/3 of that). */
export const MAX_DATA_IMAGE_CHARS = 1_400_000;

const DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|webp|bmp);base64,[A-Za-z0-9+/=\s]*$/i;

/** What to do with an <img src>. */
export type ImageDecision =
  | { readonly action: 'keep'; readonly value: string }
  | { readonly action: 'drop'; readonly remote: boolean };

/** True for a URL that would be fetched from the network (http, https, protocol-relative). */
export function isRemoteUrl(value: string): boolean {
  return /^\s*(?:https?:|\/\/|\\\\)/i.test(value);
}

/**
 * `<img src>`: cid: becomes the host-built data: URL, a small data:image
 * stays, https stays only when the user allowed remote content, http never.
 */
export function decideImageSource(value: string, cidImages: ReadonlyMap<string, string>, remoteAllowed: boolean): ImageDecision {
  const v = value.trim();
  if (/^cid:/i.test(v)) {
    let cid = v.slice(4);
    try {
      cid = decodeURIComponent(cid);
    } catch {
      // keep it as it is
    }
    const data = cidImages.get(cid.replace(/^<|>$/g, ''));
    return data ? { action: 'keep', value: data } : { action: 'drop', remote: false };
  }
  if (/^data:/i.test(v)) {
    return v.length <= MAX_DATA_IMAGE_CHARS && DATA_IMAGE.test(v) ? { action: 'keep', value: v } : { action: 'drop', remote: false };
  }
  if (remoteAllowed && /^https:\/\/[^/\s\\]/i.test(v)) {
    try {
      const url = new URL(v);
      if (url.protocol === 'https:' && url.username === '' && url.password === '') return { action: 'keep', value: url.href };
    } catch {
      // not a URL
    }
    return { action: 'drop', remote: true };
  }
  return { action: 'drop', remote: isRemoteUrl(v) };
}

/** A link the view may offer (through the host): http, https and mailto only. Returns the normalised URL or undefined. */
export function linkTarget(value: string): string | undefined {
  const v = value.trim();
  if (!/^(?:https?:\/\/|mailto:)/i.test(v)) return undefined;
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
