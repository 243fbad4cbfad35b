/**
 * The unit project runs in-process: starting a child process there is a mistake (the test
 * belongs in test/templates or test/integration), so every way of spawning one fails loudly.
 */
const spawning = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

function childProcessGuard(): Record<string, unknown> {
  const real = jest.requireActual<Record<string, unknown>>('node:child_process');
  const guarded: Record<string, unknown> = { ...real };
  for (const name of spawning) {
    guarded[name] = (command: unknown) => {
      throw new Error(`unit tests run in-process: child_process.${name}(${String(command)}) is not allowed here; move the test to test/templates or test/integration`);
    };
  }
  return guarded;
}

jest.mock('node:child_process', childProcessGuard);
jest.mock('child_process', childProcessGuard);
