// index.stamp: where the index was last known to match the Maildir. The
// index matches when neither new/ nor cur/ changed (any add, remove or flag
// rename changes a folder's mtime) and the index is the size it was then, so
// a 100,000-message store opens without a readdir.
import * as fs from 'node:fs';
import * as path from 'node:path';

export class IndexStamp {
  /** Whether the file on disk holds for the store as this process left it. */
  private valid = false;
  /** The folders and index as this object last wrote or read them: anything else is another process's change. */
  private known: string | undefined;

  constructor(
    private readonly file: string,
    private readonly maildir: string,
    private readonly indexFile: string,
  ) {}

  private current(): string {
    const m = (p: string): string => fs.statSync(p, { bigint: true }).mtimeNs.toString();
    let size = -1;
    try {
      size = fs.statSync(this.indexFile).size;
    } catch {
      // no index yet
    }
    return `1:${m(path.join(this.maildir, 'new'))}:${m(path.join(this.maildir, 'cur'))}:${size}`;
  }

  /** True when the saved stamp matches the folders and the index now. */
  matches(): boolean {
    let saved: string;
    try {
      saved = fs.readFileSync(this.file, 'utf8');
    } catch {
      return false;
    }
    const current = this.current();
    this.valid = saved === current;
    if (this.valid) this.known = current;
    return this.valid;
  }

  /**
   * Records that the index matches the Maildir now. `afterOwnChange`: the
   * caller did not read the index just now. Then an index of another size
   * than known holds another process's lines among this one's, and a line
   * of ours appended after theirs may undo their change (a window marked
   * read a message this fetch had not indexed yet): the stamp is not
   * written, so that the next open checks the index against the Maildir's
   * names.
   */
  write(afterOwnChange = false): void {
    const current = this.current();
    if (afterOwnChange && (this.known === undefined || sizeIn(current) !== this.knownIndexSize())) {
      fs.rmSync(this.file, { force: true }); // whoever wrote it
      this.valid = false;
      this.known = undefined;
      return;
    }
    fs.writeFileSync(this.file, current, { mode: 0o600 });
    this.valid = true;
    this.known = current;
  }

  /**
   * After this object's own change: what it did is not another process's
   * change. With `appended` (the bytes it just added to the index), an
   * index that grew by anything else also took another process's lines,
   * which this object has not read: then nothing is known, and the next
   * look reads the store again.
   */
  noteOwnChange(appended?: number): void {
    try {
      const before = this.knownIndexSize();
      const current = this.current();
      const grewElsewhere = appended !== undefined && (before === undefined || sizeIn(current) !== Math.max(before, 0) + appended);
      this.known = grewElsewhere ? undefined : current;
    } catch {
      this.known = undefined;
    }
  }

  /** The size of index.jsonl as this object last knew it to hold only what it has read or written (undefined: not known). */
  knownIndexSize(): number | undefined {
    return this.known === undefined ? undefined : sizeIn(this.known);
  }

  /** True when the folders or the index changed since this object last wrote or read the stamp (another process did it). */
  changedElsewhere(): boolean {
    try {
      return this.current() !== this.known;
    } catch {
      return true;
    }
  }

  /** Before our own change: the stamp no longer holds until the next write. */
  invalidate(): void {
    if (this.valid) fs.rmSync(this.file, { force: true });
    this.valid = false;
  }
}

/** The index size in a stamp's text (-1: no index). */
function sizeIn(stamp: string): number {
  return Number(stamp.slice(stamp.lastIndexOf(':') + 1));
}
