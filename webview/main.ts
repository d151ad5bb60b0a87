// Entry of dist/webview.js, shared by both panels: <body data-view="explain|compare"> picks the view.
// Order matters: the CSP nonce must be known before the web components define their styles.
import './cspNonce';
import './elements';
import './styles.css';
import './concepts.css';
import type { FromWebview, ToWebview } from '../src/protocol/webviewMessages';
import { mountCompareView } from './compareView';
import { mountExplainView } from './explainView';
import { connectToHost, type PersistedPanelState } from './hostBridge';

const host = connectToHost<ToWebview, FromWebview, PersistedPanelState>();
const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
root.id = 'app';
root.removeAttribute('aria-busy');
const onMessage = document.body.dataset.view === 'compare' ? mountCompareView(root, host) : mountExplainView(root, host);
host.onMessage(onMessage);
host.post({ type: 'ready' });
