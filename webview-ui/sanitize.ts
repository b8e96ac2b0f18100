// The mail profile for DOMPurify (docs/security.md "Webview defaults"): run on
// the webview's own DOM, one MIME part at a time, before the result goes
// into a sandboxed srcdoc frame. Nothing is changed after sanitizing.
import DOMPurify, { type Config, type UponSanitizeAttributeHookEvent } from 'dompurify';
import { cleanCss } from '../src/shared/clean-css';
import { decideImageSource, isRemoteUrl, linkTarget } from '../src/shared/mail-policy';

export interface SanitizeOptions {
  readonly cidImages: ReadonlyMap<string, string>;
  readonly remoteAllowed: boolean;
  /** Builds the stand-in URL for link number `index` (see links.ts). */
  readonly linkUrl: (index: number) => string;
}

export interface SanitizeResult {
  readonly html: string;
  /** The real targets of the part's links, by index. */
  readonly links: readonly string[];
  /** Remote resources that were removed (for the banner). */
  readonly remoteBlocked: number;
}

/** Most links one part may have; the rest become plain text. */
const MAX_LINKS = 5000;

const FORBID_TAGS = [
  // forms and controls (T36)
  'form', 'input', 'button', 'select', 'option', 'optgroup', 'textarea', 'datalist', 'output', 'fieldset', 'legend', 'label', 'keygen',
  // documents, loading, navigation (T33, T34, T36)
  'meta', 'base', 'link', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'param', 'portal', 'fencedframe',
  // media: media-src is 'none' anyway
  'video', 'audio', 'source', 'track', 'picture',
  // scripting-adjacent and foreign content (the html profile drops svg/math, this is belt and braces)
  'script', 'noscript', 'template', 'slot', 'dialog', 'svg', 'math',
];

/** Attributes that fetch or navigate, dropped whatever their value (except the cases the hook keeps). */
const RESOURCE_ATTRS = new Set([
  'srcset', 'sizes', 'poster', 'background', 'action', 'formaction', 'ping', 'lowsrc', 'dynsrc', 'longdesc',
  'usemap', 'data', 'codebase', 'archive', 'manifest', 'xlink:href', 'xml:base', 'srcdoc', 'target', 'download',
  'integrity', 'profile', 'icon', 'popovertarget', 'autofocus',
]);

const CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS,
  ALLOW_DATA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  WHOLE_DOCUMENT: false,
  // Parse in body context, so a newsletter's <style> in <head> is kept (and cleaned) instead of lost.
  FORCE_BODY: true,
  RETURN_DOM: false,
  RETURN_DOM_FRAGMENT: false,
};

export function sanitizeHtmlPart(html: string, options: SanitizeOptions): SanitizeResult {
  // A fresh instance per part: the hooks below keep per-part state.
  const purify = DOMPurify(window);
  const links: string[] = [];
  let remoteBlocked = 0;

  purify.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName === 'style' && node.textContent) {
      const cleaned = cleanCss(node.textContent);
      remoteBlocked += cleaned.blocked;
      node.textContent = cleaned.css;
    }
    if ((data.tagName === 'link' || data.tagName === 'video' || data.tagName === 'audio' || data.tagName === 'source') && node instanceof Element) {
      for (const attr of ['href', 'src', 'srcset', 'poster']) if (isRemoteUrl(node.getAttribute(attr) ?? '')) remoteBlocked++;
    }
  });

  purify.addHook('uponSanitizeAttribute', (node: Element, data: UponSanitizeAttributeHookEvent) => {
    const name = data.attrName;
    const tag = node.nodeName.toLowerCase();
    const drop = (): void => {
      if (isRemoteUrl(data.attrValue)) remoteBlocked++;
      data.keepAttr = false;
    };
    if (name === 'style') {
      const cleaned = cleanCss(data.attrValue);
      remoteBlocked += cleaned.blocked;
      data.attrValue = cleaned.css;
      return;
    }
    if (RESOURCE_ATTRS.has(name)) {
      drop();
      return;
    }
    if (name === 'src') {
      if (tag !== 'img') {
        drop();
        return;
      }
      const decision = decideImageSource(data.attrValue, options.cidImages, options.remoteAllowed);
      if (decision.action === 'keep') data.attrValue = decision.value;
      else {
        if (decision.remote) remoteBlocked++;
        data.keepAttr = false;
      }
      return;
    }
    if (name === 'href') {
      const target = tag === 'a' || tag === 'area' ? linkTarget(data.attrValue) : undefined;
      if (target === undefined || links.length >= MAX_LINKS) {
        data.keepAttr = false;
        return;
      }
      links.push(target);
      data.attrValue = options.linkUrl(links.length - 1);
    }
  });

  const clean = purify.sanitize(html, CONFIG);
  purify.removeAllHooks();
  return { html: typeof clean === 'string' ? clean : String(clean), links, remoteBlocked };
}

/** How many remote resources an HTML part refers to, counted without rendering it (for the banner when the sanitizer is off). */
export function countRemote(html: string): number {
  return (html.match(/(?:src|href|background|poster|srcset)\s*=\s*(?:["']\s*)?(?:https?:)?\/\//gi) ?? []).length + (html.match(/url\s*\(\s*(?:["']\s*)?(?:https?:)?\/\//gi) ?? []).length;
}
