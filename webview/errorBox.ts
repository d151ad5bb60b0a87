// An in-panel error message (role="alert") with an optional Retry: the rest of the panel stays usable.
import { el } from './dom';

/** An in-panel error with a Retry button; the rest of the panel stays usable. */
export function errorBox(message: string, onRetry?: () => void): HTMLElement {
  return el('div', { class: 'error-box', attrs: { role: 'alert' } }, [
    el('span', { class: 'codicon codicon-error', attrs: { 'aria-hidden': 'true' } }),
    el('span', { class: 'error-message', text: message }),
    onRetry ? el('vscode-button', { attrs: { secondary: true, icon: 'refresh', 'data-focus-key': 'retry' }, text: 'Retry', on: { click: onRetry } }) : null,
  ]);
}
