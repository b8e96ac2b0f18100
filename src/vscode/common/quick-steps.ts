// A small multi-step QuickInput: input boxes and picks with a Back button,
// validation as you type, and "Escape cancels everything". Each step returns
// BACK, CANCEL or its value; the wizard (accountWizard.ts) moves between them.
import * as vscode from 'vscode';

export const BACK = Symbol('back');
export const CANCEL = Symbol('cancel');
export type StepResult<T> = T | typeof BACK | typeof CANCEL;

export interface InputStep {
  readonly title: string;
  readonly prompt: string;
  readonly value?: string;
  readonly placeholder?: string;
  readonly password?: boolean;
  readonly canGoBack: boolean;
  readonly validate?: (value: string) => string | undefined | Promise<string | undefined>;
}

export function inputStep(step: InputStep): Promise<StepResult<string>> {
  const box = vscode.window.createInputBox();
  box.title = step.title;
  box.prompt = step.prompt;
  box.value = step.value ?? '';
  box.placeholder = step.placeholder;
  box.password = step.password === true;
  box.ignoreFocusOut = true;
  box.buttons = step.canGoBack ? [vscode.QuickInputButtons.Back] : [];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: StepResult<string>): void => {
      if (settled) return;
      settled = true;
      resolve(result);
      box.dispose();
    };
    const check = async (value: string): Promise<string | undefined> => {
      const problem = await step.validate?.(value);
      if (box.value === value) box.validationMessage = problem;
      return problem;
    };
    box.onDidChangeValue((v) => void check(v));
    box.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) finish(BACK);
    });
    box.onDidAccept(async () => {
      const value = box.value;
      box.busy = true;
      box.enabled = false;
      const problem = await check(value);
      box.busy = false;
      box.enabled = true;
      if (problem === undefined) finish(value);
    });
    box.onDidHide(() => finish(CANCEL));
    box.show();
  });
}

export interface PickItem<T> extends vscode.QuickPickItem {
  readonly value: T;
}

export interface PickStep<T> {
  readonly title: string;
  readonly placeholder: string;
  readonly items: readonly PickItem<T>[];
  readonly active?: T;
  readonly canGoBack: boolean;
}

export function pickStep<T>(step: PickStep<T>): Promise<StepResult<T>> {
  const pick = vscode.window.createQuickPick<PickItem<T>>();
  pick.title = step.title;
  pick.placeholder = step.placeholder;
  pick.items = step.items;
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.buttons = step.canGoBack ? [vscode.QuickInputButtons.Back] : [];
  const active = step.items.find((i) => i.value === step.active);
  if (active) pick.activeItems = [active];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: StepResult<T>): void => {
      if (settled) return;
      settled = true;
      resolve(result);
      pick.dispose();
    };
    pick.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) finish(BACK);
    });
    pick.onDidAccept(() => {
      const [item] = pick.selectedItems.length > 0 ? pick.selectedItems : pick.activeItems;
      if (item) finish(item.value);
    });
    pick.onDidHide(() => finish(CANCEL));
    pick.show();
  });
}
