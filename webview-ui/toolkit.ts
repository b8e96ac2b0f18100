// The only file that imports @vscode/webview-ui-toolkit (archived upstream;
// swapping to @vscode-elements/elements should touch this file alone).
// Registers just the components the message view uses.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDivider, vsCodeProgressRing } from '@vscode/webview-ui-toolkit';

export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDivider(), vsCodeProgressRing());
}
