/**
 * Text straight to file descriptor 1 or 2, for the start-up paths (--help, parser errors):
 * making process.stdout or process.stderr loads Node's stream modules, about 4 ms of a 45 ms
 * start on Node 22 (bench/startup.mjs). A closed stdout ends cyclops quietly, as bin/cyclops
 * does for the streams; a closed stderr drops the text. A pipe that would block (EAGAIN)
 * takes the rest through the stream, which queues it.
 */
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';

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

/** Whether fd is a terminal, without making its stream. */
export const isTerminal = (fd: 1 | 2): boolean => isatty(fd);
