/**
 * Text straight to file descriptor 1 or 2, for the start-up paths (--help, parser errors):
 * making process.stdout or process.stderr loads Node's stream modules, about 4 ms of a 45 ms
 * start on Node 22 (bench/startup.mjs). A closed stdout ends cyclops quietly, as bin/cyclops
 * does for the streams; a closed stderr drops the text. A pipe that would block (EAGAIN)
 * takes the rest through the stream, which queues it.
 *
 * node:tty is no lighter: it loads node:net and the stream modules (about 5 ms on Node 20 and
 * on Node 22), so `isTerminal` requires it only to ask about a character device, which a pipe
 * or a file is not. A require() inside the function, not an import: esbuild would hoist an
 * import to the bundle's top, and its ES-module interop reads every key of the module at load.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';

export function writeFd(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') {
      if (fd === 1) process.exit(0);
      return;
    }
    if (code !== 'EAGAIN') throw e;
    (fd === 1 ? process.stdout : process.stderr).write(buf.subarray(off));
  }
}

/**
 * Whether fd is a terminal, without making its stream. A terminal is a character device; a
 * pipe, a file or a socket (CI logs, `| less`, `> out`, a test's spawn) is answered from one
 * fstat, and /dev/null (a character device too: `> /dev/null`, a spawn's ignored stdio) from
 * one more, without loading node:tty. A closed fd is no terminal.
 */
export function isTerminal(fd: 1 | 2): boolean {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return false;
  }
  if (!st.isCharacterDevice() || st.rdev === devNullRdev()) return false;
  return (require('node:tty') as typeof import('node:tty')).isatty(fd);
}

/** /dev/null's device number; undefined where there is none (Windows). */
function devNullRdev(): number | undefined {
  try {
    return statSync('/dev/null').rdev;
  } catch {
    return undefined;
  }
}
