// Must run before any web component is defined: lit reads `window.litNonce` when it has to fall back to
// <style> elements (browsers without adoptable stylesheets), and the panel's CSP only allows styles that
// carry the page nonce. The host puts the nonce in <meta name="csp-nonce">.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
if (nonce) (window as unknown as { litNonce?: string }).litNonce = nonce;
export {};
