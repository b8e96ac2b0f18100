// The interactive OAuth sign-in in the editor: the browser with a loopback
// redirect where the browser and the extension share a machine (a desktop
// editor), the device code where they may not (a remote or browser-based
// editor) or when the user picks it. Under a cancellable progress
// notification; the tokens go back to the caller, never to a log.
import * as vscode from 'vscode';
import { signInWithBrowser, signInWithDeviceCode, type ClientConfig, type DeviceCode } from '../../oauth/flows';
import { OAuthError, type TokenSet } from '../../oauth/http';
import { pickStep, type PickItem } from '../common/quick-steps';
import { forNotification, forQuickPick } from '../common/surface-text';

export type SignInFlow = 'browser' | 'device';

/** True when the browser may run on another machine than the extension (no loopback between them). */
export function isRemoteEditor(): boolean {
  return vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web;
}

/** Which flow to use: asks only where both work and neither is clearly better. Undefined: cancelled. */
async function chooseFlow(config: ClientConfig, title: string): Promise<SignInFlow | undefined> {
  if (!config.provider.endpoints.device) return 'browser';
  if (isRemoteEditor()) return 'device';
  const items: PickItem<SignInFlow>[] = [
    { label: `$(globe) ${vscode.l10n.t('Sign in with the browser')}`, detail: vscode.l10n.t('Opens the sign-in page in your browser on this computer (recommended).'), value: 'browser' },
    { label: `$(device-mobile) ${vscode.l10n.t('Sign in with a code')}`, detail: vscode.l10n.t('Shows a code to enter on a sign-in page in any browser, on any device.'), value: 'device' },
  ];
  const r = await pickStep({ title, placeholder: vscode.l10n.t('How do you want to sign in?'), items, canGoBack: false });
  return r === 'browser' || r === 'device' ? r : undefined;
}

/**
 * The redirect the browser can reach: in a remote editor the editor forwards
 * the listener's port, and the provider sees the forwarded address.
 * Providers accept only loopback redirects for native apps, so a forwarded
 * "localhost" is written as 127.0.0.1, the address registered.
 */
async function externalRedirect(local: string): Promise<string> {
  if (!isRemoteEditor()) return local;
  const external = await vscode.env.asExternalUri(vscode.Uri.parse(local));
  const url = new URL(external.toString(true));
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
  return url.toString();
}

function showCode(code: DeviceCode, account: string): void {
  const copy = vscode.l10n.t('Copy and Open');
  const where = code.verificationUri;
  void vscode.window
    .showInformationMessage(
      vscode.l10n.t('POP3 Mail: to sign in {0}, enter the code {1} at {2}', forNotification(account, 120), forNotification(code.userCode, 100), forNotification(where, 300)),
      copy,
    )
    .then(async (choice) => {
      if (choice !== copy) return;
      await vscode.env.clipboard.writeText(code.userCode);
      // Only a web page may be opened from what the provider sent.
      const target = code.verificationUriComplete ?? where;
      if (/^https?:\/\//i.test(target)) await vscode.env.openExternal(vscode.Uri.parse(target));
    });
}

export interface SignInOptions {
  /** Shown in titles and messages (our text or the user's, never the provider's). */
  readonly account: string;
  /** Pre-fills the provider's sign-in page. */
  readonly loginHint?: string;
  readonly flow?: SignInFlow;
}

/**
 * Signs in; the tokens, or undefined when the user cancelled. Other
 * failures (refused, expired code, network) throw an OAuthError with a
 * message for the user.
 */
export async function interactiveSignIn(config: ClientConfig, options: SignInOptions): Promise<TokenSet | undefined> {
  const title = vscode.l10n.t('POP3 Mail: sign in {0}', forQuickPick(options.account, 120));
  const flow = options.flow ?? (await chooseFlow(config, title));
  if (!flow) return undefined;
  try {
    return await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: flow === 'browser' ? vscode.l10n.t('POP3 Mail: signing in {0} in the browser', forNotification(options.account, 120)) : vscode.l10n.t('POP3 Mail: waiting for the sign-in of {0}', forNotification(options.account, 120)),
        cancellable: true,
      },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          if (flow === 'browser') {
            progress.report({ message: vscode.l10n.t('Finish the sign-in in the browser window that opened.') });
            return await signInWithBrowser(config, {
              openUrl: async (url) => vscode.env.openExternal(vscode.Uri.parse(url)),
              loginHint: options.loginHint,
              signal: abort.signal,
              externalRedirectUri: externalRedirect,
            });
          }
          return await signInWithDeviceCode(config, {
            signal: abort.signal,
            onCode: (code) => {
              progress.report({ message: vscode.l10n.t('enter the code {0}', forNotification(code.userCode, 100)) });
              showCode(code, options.account);
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'cancelled') return undefined;
    throw error;
  }
}
