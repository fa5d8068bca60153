/**
 * What a path we are asked to write names, decided before anything is written (so a wrong path fails
 * in a second, not after an hour-long audit), and the one-line errors for the paths we refuse.
 *
 *   regular file or nothing yet  → written through a temporary file renamed onto it (`replace`);
 *                                  a file read-only to this user is refused (requireWritable)
 *   FIFO, character device       → written to in place, never replaced (`stream`: /dev/stdout, /dev/null)
 *   symbolic link                → followed to what it points at (the link itself stays); a link to
 *                                  nothing is refused, so a planted link cannot make us create a file
 *   folder, missing folder, block device, socket → refused, exit 2
 */
import { constants, type Stats } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.ts';

export type WriteTarget =
  | { kind: 'replace'; path: string; existing?: Stats }
  | { kind: 'stream'; path: string };

export async function inspectWriteTarget(requested: string): Promise<WriteTarget> {
  const path = resolve(requested);
  const link = await lstatOrUndefined(path, requested);
  if (link === undefined) {
    await requireFolder(dirname(path), requested);
    return { kind: 'replace', path };
  }
  let stats = link;
  if (link.isSymbolicLink()) {
    const followed = await statOrUndefined(path, requested);
    if (followed === undefined) {
      throw new InputError(
        'is a symbolic link to nothing; credsweep does not create files through links',
        requested,
      );
    }
    stats = followed;
  }
  // A device or FIFO is opened by the name given (/dev/stdout → /proc/self/fd/1 → a pipe has no path).
  if (stats.isFIFO() || stats.isCharacterDevice()) return { kind: 'stream', path };
  if (stats.isFile()) {
    const real = link.isSymbolicLink()
      ? await realpath(path).catch((e) => Promise.reject(cannotWrite(e, requested)))
      : path;
    await requireWritable(real, requested);
    return { kind: 'replace', path: real, existing: stats };
  }
  if (stats.isDirectory()) throw new InputError('is a folder; give a file name', requested);
  throw new InputError('is not a file, FIFO or terminal; credsweep does not write there', requested);
}

/**
 * `path`, when it exists, is a file credsweep may replace; one read-only to this user is refused
 * (exit 2, one line), as `cp` or `sort -o` would not write it. The write is a temporary file renamed
 * over it, which the file's own mode does not stop (only its folder's): without this, a `chmod 444`
 * file was silently replaced, and the new one given its old mode as if nothing had happened.
 *
 * Read-only is: no write bit at all (0444, 0400), for every user, root included — root may write any
 * file, but one nobody may write was made read-only on purpose (vim treats it so too); or a write bit
 * that is not this user's (access(W_OK): the owner's, group's or others' bits that apply, and ACLs).
 */
export async function requireWritable(
  path: string,
  requested: string,
  hint = 'make it writable (chmod u+w), or write to another file',
): Promise<void> {
  const file = await stat(path).catch(() => undefined);
  if (file === undefined) return; // a new file
  let forThisUser = false;
  if ((file.mode & 0o222) !== 0) {
    try {
      await access(path, constants.W_OK);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // (a read-only file system, say: the system's own reason, as the rename would give it)
      if (code !== 'EACCES' && code !== 'EPERM') throw cannotWrite(e, requested);
      forThisUser = true;
    }
  }
  const mode = (file.mode & 0o777).toString(8).padStart(4, '0');
  throw new InputError(
    `is read-only${forThisUser ? ' to this user' : ''} (mode ${mode}); credsweep does not write over it`,
    requested,
    undefined,
    hint,
  );
}

/** `path`'s folder exists and is a folder (exit 2 otherwise, instead of a stack trace). */
export async function requireFolder(folder: string, requested: string): Promise<void> {
  const stats = await statOrUndefined(folder, requested);
  if (stats === undefined) throw new InputError(`cannot write: folder ${folder} does not exist`, requested);
  if (!stats.isDirectory()) throw new InputError(`cannot write: ${folder} is not a folder`, requested);
}

/** The one-line reason a file system call failed, for `credsweep: <file>: cannot write (…)`. */
export function cannotWrite(e: unknown, requested: string, what = 'cannot write'): InputError {
  const code = (e as NodeJS.ErrnoException)?.code ?? String(e);
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EFBIG: 'file too large',
    EISDIR: 'is a folder',
    ENOTDIR: 'a part of the path is not a folder',
    ENOENT: 'no such folder',
    ELOOP: 'is a symbolic link (refused)',
    ENXIO: 'nothing is reading it',
  };
  return new InputError(`${what} (${why[code] ?? code})`, requested);
}

async function lstatOrUndefined(path: string, requested: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cannotWrite(e, requested);
  }
}

async function statOrUndefined(path: string, requested: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw cannotWrite(e, requested);
  }
}

/** Flags for a new file nobody else may have made first (O_EXCL never follows a link). */
export const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;

/**
 * Append, creating it 0600, refusing a symbolic link where the file should be; readable too, so the
 * journal's writer can look at the line it follows through the same descriptor.
 */
export const APPEND_NO_FOLLOW =
  constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
