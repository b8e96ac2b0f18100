// Process helpers shared by the test servers (Dovecot, code-server).

export function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGKILL to the process group we created with `detached: true`. */
export function killGroup(pid: number | undefined): void {
  if (pid !== undefined) signal(-pid, 'SIGKILL');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
