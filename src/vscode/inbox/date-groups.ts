// The Inbox tree's view model: date groups and paging over the store's list
// (already sorted newest first by its ISO date string). Pure: no vscode
// import, so it is unit-tested directly.
//
// Groups are contiguous ranges of that list, found by binary search on the
// date strings, so a 100,000-message inbox is grouped in a few dozen
// comparisons per group and no message is copied.

/** What the model needs of a message summary. */
export interface Dated {
  /** ISO 8601 (UTC, as toISOString writes it) or '' when the message has no valid date. */
  readonly date: string;
}

export type GroupKind = 'future' | 'today' | 'yesterday' | 'week' | 'month' | 'olderMonth' | 'undated';

export interface DateGroup {
  /** Stable for a day: a tree item id part. */
  readonly key: string;
  readonly kind: GroupKind;
  /** English label; the tree may translate the fixed kinds. */
  readonly label: string;
  /** Index range [start, end) in the sorted list. */
  readonly start: number;
  readonly end: number;
}

export interface GroupOptions {
  /** Locale for month names (e.g. vscode.env.language). */
  readonly locale?: string;
  /** First day of the week, 1 = Monday ... 7 = Sunday (Intl weekInfo numbering). Default 1. */
  readonly firstDayOfWeek?: number;
}

/** The first day of the week for a locale (Intl weekInfo), Monday when the runtime cannot tell. */
export function firstDayOfWeek(locale: string | undefined): number {
  try {
    const loc = new Intl.Locale(locale ?? 'en') as Intl.Locale & { weekInfo?: { firstDay?: number }; getWeekInfo?: () => { firstDay?: number } };
    const info = typeof loc.getWeekInfo === 'function' ? loc.getWeekInfo() : loc.weekInfo;
    const day = info?.firstDay;
    return typeof day === 'number' && day >= 1 && day <= 7 ? day : 1;
  } catch {
    return 1;
  }
}

function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days);
}

/** First index in [from, list.length) whose date sorts below `bound` (list sorted descending). */
export function firstBelow(list: readonly Dated[], bound: string, from = 0): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.date >= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An ISO date that the string order handles: four-digit years only (toISOString writes "+010000-..." past 9999). */
const REGULAR_ISO = /^\d{4}-\d{2}-\d{2}T/;

/**
 * Splits the inbox into Today, Yesterday, This Week, This Month, one group
 * per older month and "No Date"; empty groups are left out. Dates after
 * today (a sender's wrong clock) get their own group at the top rather than
 * hiding in Today. Boundaries are local midnights.
 */
export function groupByDate(list: readonly Dated[], now: Date, options: GroupOptions = {}): DateGroup[] {
  const groups: DateGroup[] = [];
  let index = 0;
  const take = (kind: GroupKind, key: string, label: string, lower: Date | string): void => {
    const bound = typeof lower === 'string' ? lower : lower.toISOString();
    const end = firstBelow(list, bound, index);
    if (end > index) groups.push({ key, kind, label, start: index, end });
    index = end;
  };
  const today = startOfDay(now);
  const yesterday = addDays(today, -1);
  const firstDay = options.firstDayOfWeek ?? 1;
  const weekday = today.getDay() === 0 ? 7 : today.getDay();
  const week = addDays(today, -((weekday - firstDay + 7) % 7));
  const month = new Date(today.getFullYear(), today.getMonth(), 1);

  take('future', 'future', 'Future Dates', addDays(today, 1));
  take('today', 'today', 'Today', today);
  take('yesterday', 'yesterday', 'Yesterday', yesterday);
  let lowest = yesterday;
  if (week < lowest) {
    take('week', 'week', 'This Week', week);
    lowest = week;
  }
  if (month < lowest) take('month', 'month', 'This Month', month);

  // Older months: jump straight to the month of the next message, so a
  // message dated 1970 costs one group, not 680 empty ones.
  const monthFormat = new Intl.DateTimeFormat(options.locale, { month: 'long', year: 'numeric' });
  while (index < list.length) {
    const date = list[index]!.date;
    if (!REGULAR_ISO.test(date)) break;
    const d = new Date(date);
    if (Number.isNaN(d.getTime())) break;
    const start = new Date(d.getFullYear(), d.getMonth(), 1);
    const key = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}`;
    const before = index;
    take('olderMonth', `month-${key}`, monthFormat.format(start), start);
    if (index === before) break; // cannot happen with a sorted list; never loop forever
  }
  if (index < list.length) groups.push({ key: 'undated', kind: 'undated', label: 'No Date', start: index, end: list.length });
  return groups;
}

export interface Page {
  /** Index range [start, end) to show. */
  readonly start: number;
  readonly end: number;
  /** Messages of the group not shown yet. */
  readonly remaining: number;
}

/** The visible part of a group after `pages` pages of `pageSize` (pages >= 1). */
export function pageOf(group: Pick<DateGroup, 'start' | 'end'>, pageSize: number, pages: number): Page {
  const size = Math.max(1, Math.floor(pageSize));
  const shown = Math.min(group.end - group.start, size * Math.max(1, Math.floor(pages)));
  return { start: group.start, end: group.start + shown, remaining: group.end - group.start - shown };
}

/** How many of list[start, end) are unread. */
export function unreadIn(list: readonly { readonly seen: boolean }[], start = 0, end = list.length): number {
  let n = 0;
  for (let i = start; i < end; i++) if (!list[i]!.seen) n++;
  return n;
}
