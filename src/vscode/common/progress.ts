// The boundary between the editor's cancellation and the core's: VS Code
// hands a progress task a CancellationToken, the core (src/sync, src/pop3)
// takes an AbortSignal.
import * as vscode from 'vscode';

/**
 * Runs `task` under a progress notification (or status bar entry) with an
 * AbortSignal that aborts when the user cancels it, or when `linked` aborts
 * (another reason to stop, such as Cancel All).
 */
export function withAbortableProgress<R>(
  options: vscode.ProgressOptions,
  task: (progress: vscode.Progress<{ message?: string; increment?: number }>, signal: AbortSignal) => Promise<R>,
  linked?: AbortSignal,
): Thenable<R> {
  return vscode.window.withProgress(options, async (progress, token) => {
    const cancelled = new AbortController();
    const subscription = token.onCancellationRequested(() => cancelled.abort());
    if (token.isCancellationRequested) cancelled.abort();
    try {
      return await task(progress, linked ? AbortSignal.any([linked, cancelled.signal]) : cancelled.signal);
    } finally {
      subscription.dispose();
    }
  });
}
